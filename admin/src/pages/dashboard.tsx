import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { op } from '../api.js';
import { ErrorBox, Loading, useTitle } from '../components.js';
import type { DashboardStatsQuery, DashboardStatsQueryVariables } from '../generated/graphql.js';
import { useQuery } from '../hooks.js';

/**
 * The dashboard, the first page after sign-in: jobs per bucket by outcome, queue depth over time,
 * wait and run time per operation, failure rate and workers alive, from one query (jobStats) polled
 * every few seconds. Charts are drawn with uPlot (canvas); the numbers behind each chart are in a
 * table right under it, so keyboards and screen readers reach every value.
 */

const POLL_MS = 5_000;

const STATS = op<DashboardStatsQuery, DashboardStatsQueryVariables>(/* GraphQL */ `
  query DashboardStats($window: Int!, $bucket: Int!) {
    jobStats(window: $window, bucket: $bucket) {
      window
      bucket
      from
      to
      rebuiltBefore
      buckets {
        start
        created
        started
        completed
        failed
        cancelled
        retried
        ready
        delayed
        running
        workersAlive
      }
      operations {
        operation
        created
        completed
        failed
        cancelled
        retried
        failureRate
        waitP50Seconds
        waitP95Seconds
        runP50Seconds
        runP95Seconds
      }
    }
  }
`);

type Stats = DashboardStatsQuery['jobStats'];
type Bucket = Stats['buckets'][number];

const RANGES = [
  { id: 'hour', label: 'Last hour', window: 3600, bucket: 60, per: 'minute' },
  { id: 'day', label: 'Last day', window: 86_400, bucket: 900, per: '15 minutes' },
] as const;

export function DashboardPage(): JSX.Element {
  useTitle('Dashboard');
  const [rangeId, setRangeId] = useState<(typeof RANGES)[number]['id']>('hour');
  const range = RANGES.find((r) => r.id === rangeId)!;
  const stats = useQuery(STATS, { window: range.window, bucket: range.bucket });
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);

  // Live: a short poll of the one query (it is cheap: a read of Redis, cached a second by the service).
  useEffect(() => {
    const t = setInterval(stats.reload, POLL_MS);
    return () => clearInterval(t);
  }, [stats.reload]);
  useEffect(() => {
    if (stats.data) setUpdatedAt(new Date());
  }, [stats.data]);

  const s = stats.data?.jobStats ?? null;
  return (
    <section class="dashboard">
      <h1>Dashboard</h1>
      <div class="filters">
        <fieldset class="mode">
          <legend>Window</legend>
          {RANGES.map((r) => (
            <label key={r.id}>
              <input type="radio" name="range" value={r.id} checked={r.id === rangeId} onChange={() => setRangeId(r.id)} /> {r.label}
            </label>
          ))}
        </fieldset>
        <p class="muted live-note" role="status" data-testid="dashboard-updated">
          {updatedAt ? `Updated ${updatedAt.toLocaleTimeString()}; refreshed every ${POLL_MS / 1000} s.` : 'Loading…'}
        </p>
      </div>
      <ErrorBox message={stats.error} />
      {!s ? stats.loading ? <Loading /> : null : <DashboardBody s={s} per={range.per} />}
    </section>
  );
}

function DashboardBody({ s, per }: { s: Stats; per: string }): JSX.Element {
  const total = (k: 'created' | 'completed' | 'failed' | 'cancelled') => s.buckets.reduce((n, b) => n + b[k], 0);
  const completed = total('completed');
  const failed = total('failed');
  const last = [...s.buckets].reverse().find((b) => b.ready !== null) ?? null;
  const rate = completed + failed > 0 ? failed / (completed + failed) : null;
  return (
    <>
      {s.rebuiltBefore ? <p class="muted">Counts before {new Date(s.rebuiltBefore).toLocaleString()} were rebuilt from the database (retries are not in them).</p> : null}
      <div class="cards" data-testid="dashboard-cards">
        <Card n={total('created')} label="created" testId="total-created" />
        <Card n={completed} label="completed" testId="total-completed" />
        <Card n={failed} label="failed" testId="total-failed" />
        <Card n={rate === null ? '—' : percent(rate)} label="failure rate" testId="failure-rate" />
        <Card n={last?.running ?? '—'} label="running now" testId="running-now" />
        <Card n={last?.workersAlive ?? '—'} label="workers alive" testId="workers-alive" />
      </div>

      <ChartSection
        id="throughput"
        title={`Jobs per ${per} by outcome`}
        buckets={s.buckets}
        series={[
          { key: 'created', label: 'Created', color: '--accent' },
          { key: 'completed', label: 'Completed', color: '--ok' },
          { key: 'failed', label: 'Failed', color: '--bad' },
          { key: 'cancelled', label: 'Cancelled', color: '--wait' },
        ]}
      />
      <ChartSection
        id="depth"
        title="Queue depth"
        sampled
        buckets={s.buckets}
        series={[
          { key: 'ready', label: 'Ready', color: '--accent' },
          { key: 'delayed', label: 'Delayed', color: '--wait' },
          { key: 'running', label: 'Running', color: '--ok' },
        ]}
      />

      <h2 id="latency-h">Wait and run time by operation</h2>
      {s.operations.length === 0 ? (
        <p class="muted">No job in this window.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="latency-h" data-testid="operations-table">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Created</th>
                <th scope="col">Completed</th>
                <th scope="col">Failed</th>
                <th scope="col">Failure rate</th>
                <th scope="col">Wait p50</th>
                <th scope="col">Wait p95</th>
                <th scope="col">Run p50</th>
                <th scope="col">Run p95</th>
              </tr>
            </thead>
            <tbody>
              {s.operations.map((o) => (
                <tr key={o.operation} data-operation={o.operation}>
                  <th scope="row">{o.operation}</th>
                  <td data-col="created">{o.created}</td>
                  <td data-col="completed">{o.completed}</td>
                  <td data-col="failed">{o.failed}</td>
                  <td>{o.failureRate === null ? '—' : percent(o.failureRate)}</td>
                  <td>{seconds(o.waitP50Seconds)}</td>
                  <td>{seconds(o.waitP95Seconds)}</td>
                  <td>{seconds(o.runP50Seconds)}</td>
                  <td>{seconds(o.runP95Seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted">Times are estimates from bucketed counts. Queue depth is sampled every 10 s; a bucket shows its last sample.</p>
    </>
  );
}

function Card({ n, label, testId }: { n: number | string; label: string; testId: string }): JSX.Element {
  return (
    <div class="card">
      <div class="n" data-testid={testId}>
        {n}
      </div>
      <div class="muted">{label}</div>
    </div>
  );
}

type SeriesKey = 'created' | 'completed' | 'failed' | 'cancelled' | 'ready' | 'delayed' | 'running';

interface ChartProps {
  id: string;
  title: string;
  buckets: readonly Bucket[];
  series: Array<{ key: SeriesKey; label: string; color: string }>;
  /** Samples (null where none was taken): joined across the gaps, each sample marked. */
  sampled?: boolean;
}

/** One chart with its numbers: the canvas is a picture (with a summary for screen readers), the table holds every value. */
function ChartSection({ id, title, buckets, series, sampled = false }: ChartProps): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data: uPlot.AlignedData = [buckets.map((b) => Date.parse(b.start) / 1000), ...series.map((s) => buckets.map((b) => b[s.key]))];
  const seriesKey = series.map((s) => s.key).join();

  useEffect(() => {
    const el = box.current!;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim() || '#888';
    const width = () => Math.max(280, el.clientWidth);
    const u = new uPlot(
      {
        width: width(),
        height: 220,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        axes: [
          { stroke: color('--muted'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') } },
          { stroke: color('--muted'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') }, size: 44 },
        ],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: color(s.color), width: 2, spanGaps: sampled, points: { show: sampled, size: 5 } }))],
      },
      data,
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: width(), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series change; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const totals = series.map((s) => `${s.label} ${buckets.reduce((n, b) => n + (b[s.key] ?? 0), 0)}`).join(', ');
  const shown = buckets.filter((b) => series.some((s) => (b[s.key] ?? 0) > 0));
  return (
    <section aria-labelledby={`${id}-h`} class="chart" data-testid={`chart-${id}`}>
      <h2 id={`${id}-h`}>{title}</h2>
      <div ref={box} class="chart-canvas" role="img" aria-label={`${title} chart. ${series[0]!.key === 'ready' ? 'Latest' : 'Totals'}: ${totals}. The numbers are in the table below.`} />
      <details class="chart-numbers">
        <summary>Numbers behind this chart ({shown.length} of {buckets.length} buckets with data)</summary>
        <div class="table-wrap">
          <table data-testid={`table-${id}`}>
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                {series.map((s) => (
                  <th scope="col" key={s.key}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((b) => (
                <tr key={b.start} data-start={b.start}>
                  <th scope="row">{new Date(b.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</th>
                  {series.map((s) => (
                    <td key={s.key} data-col={s.key}>
                      {b[s.key] ?? '—'}
                    </td>
                  ))}
                </tr>
              ))}
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={series.length + 1} class="muted">
                    Nothing in this window.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)} %`;
}

function seconds(x: number | null): string {
  if (x === null) return '—';
  if (x < 1) return `${Math.round(x * 1000)} ms`;
  if (x < 120) return `${x.toFixed(1)} s`;
  return `${(x / 60).toFixed(1)} min`;
}
