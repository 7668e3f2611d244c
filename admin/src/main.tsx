import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adoptTokenFromFragment, getToken, onTokenChange } from './api.js';
import { Layout, Loading } from './components.js';
import { DashboardPage } from './pages/dashboard.js';
import { DatasetsPage } from './pages/datasets.js';
import { FailedPage } from './pages/failed.js';
import { JobPage } from './pages/job.js';
import { JobsPage } from './pages/jobs.js';
import { MaintenancePage } from './pages/maintenance.js';
import { QueuePage } from './pages/queue.js';
import { SchedulesPage } from './pages/schedules.js';
import { SignInPage } from './pages/signIn.js';
import { SubmitPage } from './pages/submit.js';
import { Link, useLocation } from './router.js';
import { SessionProvider } from './session.js';
import './styles.css';

function Routes(): JSX.Element {
  const { path } = useLocation();
  const job = /^\/jobs\/([0-9a-f]{24})$/.exec(path);
  if (job) return <JobPage id={job[1]!} />;
  if (path === '/' || path === '/dashboard') return <DashboardPage />;
  if (path === '/jobs') return <JobsPage />;
  if (path === '/failed') return <FailedPage />;
  if (path === '/submit') return <SubmitPage />;
  if (path === '/queue') return <QueuePage />;
  if (path === '/schedules') return <SchedulesPage />;
  if (path === '/maintenance') return <MaintenancePage />;
  if (path === '/datasets') return <DatasetsPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{path}</code>.{' '}
        <Link to="/jobs">Go to the jobs</Link>
        .
      </p>
    </section>
  );
}

function App(): JSX.Element {
  const [token, setTokenState] = useState(getToken);
  useEffect(() => onTokenChange(() => setTokenState(getToken())), []);
  if (!token) return <SignInPage />;
  return (
    // Keyed by token: a new sign-in starts a fresh session (viewer, sockets, state).
    <SessionProvider key={token} fallback={(error) => (error ? <SignInPage error={error} /> : <Loading />)}>
      <Layout>
        <Routes />
      </Layout>
    </SessionProvider>
  );
}

adoptTokenFromFragment();
render(<App />, document.getElementById('app')!);
