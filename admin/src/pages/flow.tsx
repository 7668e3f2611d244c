import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { op } from '../api.js';
import { ErrorBox, LiveIndicator, StatusBadge } from '../components.js';
import type { JobFlowQuery, JobFlowQueryVariables, JobFlowUpdatedSubscription, JobFlowUpdatedSubscriptionVariables } from '../generated/graphql.js';
import { useQuery, useSubscription } from '../hooks.js';
import { Link } from '../router.js';

/** A job's flow on its page: the final job and the children, live (the final job hears of every child that ends). */

const FLOW = op<JobFlowQuery, JobFlowQueryVariables>(/* GraphQL */ `
  query JobFlow($id: ID!) {
    job(id: $id) {
      id
      flow {
        id
        total
        onChildFailure
        finalJob {
          id
          status
          operation
          target {
            name
          }
        }
        counts {
          status
          count
        }
        children(first: 100) {
          totalCount
          nodes {
            id
            status
            operation
            target {
              name
            }
          }
        }
      }
    }
  }
`);

const FLOW_UPDATED = op<JobFlowUpdatedSubscription, JobFlowUpdatedSubscriptionVariables>(/* GraphQL */ `
  subscription JobFlowUpdated($id: ID!) {
    jobUpdated(id: $id) {
      kind
      at
    }
  }
`);

/** Children still running change without telling the final job until they end: polled meanwhile. */
const POLL_MS = 3000;

export function FlowPanel({ jobId, updatedAt }: { jobId: string; updatedAt: string }): JSX.Element | null {
  const q = useQuery(FLOW, { id: jobId });
  const flow = q.data?.job?.flow ?? null;
  const finalId = flow?.id ?? null;
  // This job changed (its page got an event): the flow may have too.
  const seen = useRef(updatedAt);
  useEffect(() => {
    if (seen.current === updatedAt) return;
    seen.current = updatedAt;
    q.reload();
  }, [updatedAt, q.reload]);
  const liveError = useSubscription(FLOW_UPDATED, { id: finalId ?? '' }, () => q.reload(), { skip: !finalId || finalId === jobId });
  const active = flow ? flow.children.nodes.some((c) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(c.status)) : false;
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(q.reload, POLL_MS);
    return () => clearInterval(t);
  }, [active, q.reload]);
  if (!flow) return q.error ? <ErrorBox message={q.error} /> : null;
  const isFinal = flow.id === jobId;
  return (
    <div class="flow" data-testid="job-flow">
      <h2>Flow</h2>
      <p>
        {isFinal ? 'This job runs after' : 'This job is one of'} {flow.total} {flow.total === 1 ? 'child' : 'children'}
        {isFinal ? '' : ' of a flow whose final job is '}
        {isFinal ? null : (
          <>
            <Link to={`/jobs/${flow.finalJob.id}`} class="mono">
              {flow.finalJob.id}
            </Link>{' '}
            <StatusBadge status={flow.finalJob.status} />
          </>
        )}
        . A failed child: <code>{flow.onChildFailure}</code>. {finalId !== jobId ? <LiveIndicator error={liveError} /> : null}
      </p>
      <div class="cards" data-testid="flow-counts">
        {flow.counts.map((c) => (
          <div class="card" key={c.status}>
            <div class="n">{c.count}</div>
            <StatusBadge status={c.status} />
          </div>
        ))}
      </div>
      <div class="table-wrap">
        <table data-testid="flow-children">
          <thead>
            <tr>
              <th scope="col">Child</th>
              <th scope="col">Target</th>
              <th scope="col">Operation</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {flow.children.nodes.map((c) => (
              <tr key={c.id} aria-current={c.id === jobId ? 'true' : undefined}>
                <td>
                  <Link to={`/jobs/${c.id}`} class="mono">
                    {c.id}
                  </Link>
                </td>
                <td>{c.target.name}</td>
                <td>{c.operation}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {flow.children.totalCount > flow.children.nodes.length ? (
        <p class="muted">
          First {flow.children.nodes.length} of {flow.children.totalCount} children.
        </p>
      ) : null}
      <ErrorBox message={q.error} />
    </div>
  );
}
