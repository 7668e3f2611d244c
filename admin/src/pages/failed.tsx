import type { JSX } from 'preact';
import { op } from '../api.js';
import { BulkActions } from '../bulk.js';
import { ErrorBox, Loading, useTitle } from '../components.js';
import type { FailedPageQuery } from '../generated/graphql.js';
import { useQuery } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

const COUNTS = op<FailedPageQuery>(/* GraphQL */ `
  query FailedPage {
    deadLetterCounts {
      total
      byOperation {
        operation
        count
      }
      byReason {
        reason
        count
      }
    }
  }
`);

function jobsLink(params: Record<string, string>): string {
  return `/jobs?${new URLSearchParams({ deadLetter: 'true', ...params }).toString()}`;
}

/** The dead letter: failed jobs not retried yet, grouped by failure reason and operation, each group re-run in bulk. */
export function FailedPage(): JSX.Element {
  useTitle('Failed');
  const { can } = useSession();
  const q = useQuery(COUNTS);
  const c = q.data?.deadLetterCounts;
  return (
    <section>
      <h1>Failed jobs</h1>
      <p class="muted">Jobs that failed for good (attempts used up, not retryable, or over the time limit) and have not been retried.</p>
      <ErrorBox message={q.error} />
      {!c ? (
        q.loading ? <Loading /> : null
      ) : c.total === 0 ? (
        <p data-testid="failed-empty">No failed jobs wait to be looked at.</p>
      ) : (
        <>
          <p>
            <Link to={jobsLink({})}>
              <strong data-testid="failed-total">{c.total}</strong> failed {c.total === 1 ? 'job' : 'jobs'}
            </Link>
          </p>
          {can('OPERATOR') && <BulkActions filter={{ deadLetter: true }} kinds={['RETRY']} label="every failed job" />}
          <h2>By reason</h2>
          <div class="table-wrap">
            <table data-testid="failed-by-reason">
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col">Jobs</th>
                  {can('OPERATOR') && <th scope="col">Re-run</th>}
                </tr>
              </thead>
              <tbody>
                {c.byReason.map((r) => (
                  <tr key={r.reason} data-reason={r.reason}>
                    <td>
                      <Link to={jobsLink({ failureReason: r.reason })}>{r.reason || '(none)'}</Link>
                    </td>
                    <td>{r.count}</td>
                    {can('OPERATOR') && (
                      <td>
                        <BulkActions filter={{ deadLetter: true, failureReason: r.reason }} kinds={['RETRY']} label="these" />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>By operation</h2>
          <ul>
            {c.byOperation.map((o) => (
              <li key={o.operation}>
                <Link to={`${jobsLink({})}&operation=${o.operation}`}>{o.operation}</Link>: {o.count}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
