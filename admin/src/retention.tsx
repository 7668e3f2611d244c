import type { JSX } from 'preact';
import { op } from './api.js';
import { ErrorBox, Loading, Time } from './components.js';
import type { RetentionPanelQuery } from './generated/graphql.js';
import { useQuery } from './hooks.js';

const RETENTION = op<RetentionPanelQuery>(/* GraphQL */ `
  query RetentionPanel {
    retention {
      settings {
        completedMaxAgeHours
        failedMaxAgeHours
        maxTerminalJobs
        intervalSeconds
      }
      lastPass {
        startedAt
        finishedAt
        removedCompleted
        removedFailed
        removedCancelled
        removedOverCap
        keptForTargets
        error
      }
    }
  }
`);

function age(hours: number): string {
  if (hours === 0) return 'kept forever';
  return hours % 24 === 0 ? `${hours / 24} ${hours === 24 ? 'day' : 'days'}` : `${hours} h`;
}

/** Retention settings and what the last pass removed (the queue page). */
export function RetentionSection(): JSX.Element {
  const q = useQuery(RETENTION);
  const r = q.data?.retention;
  return (
    <section aria-labelledby="retention-h" data-testid="retention">
      <h2 id="retention-h">Retention</h2>
      <ErrorBox message={q.error} />
      {!r ? (
        q.loading ? <Loading /> : null
      ) : (
        <dl class="facts">
          <dt>Completed, cancelled</dt>
          <dd data-testid="retention-completed">{age(r.settings.completedMaxAgeHours)}</dd>
          <dt>Failed</dt>
          <dd data-testid="retention-failed">{age(r.settings.failedMaxAgeHours)}</dd>
          <dt>Most finished jobs kept</dt>
          <dd>{r.settings.maxTerminalJobs === 0 ? 'no cap' : r.settings.maxTerminalJobs.toLocaleString()}</dd>
          <dt>Last pass</dt>
          <dd data-testid="retention-last">
            {r.lastPass ? (
              <>
                <Time iso={r.lastPass.finishedAt} />: removed {r.lastPass.removedCompleted} completed, {r.lastPass.removedFailed} failed, {r.lastPass.removedCancelled} cancelled
                {r.lastPass.removedOverCap ? ` (${r.lastPass.removedOverCap} over the cap)` : ''}; kept {r.lastPass.keptForTargets} as targets' last jobs
                {r.lastPass.error ? <span class="error"> — stopped: {r.lastPass.error}</span> : null}
              </>
            ) : (
              <span class="muted">none yet (a pass runs every {Math.round(r.settings.intervalSeconds)} s)</span>
            )}
          </dd>
        </dl>
      )}
    </section>
  );
}
