/**
 * The integer codes the Lua scripts return (see each script's header), and
 * the one place that turns them into names and messages.
 */
export const QueueCode = {
  OK: 0,
  EMPTY: -1,
  MAINTENANCE: -2,
  PAUSED: -3,
  WORKER_DISABLED: -4,
  LEASE_LOST: -5,
  ALREADY_QUEUED: -6,
  NOT_FOUND: -8,
  RESET: -9,
  INVALID_TRANSITION: -11,
  ALREADY_RETRIED: -12,
  EPOCH_CHANGED: -13,
  RETRY_SCHEDULED: 1,
  EXHAUSTED: 2,
  NOT_RETRYABLE: 3,
  CANCELLED: 4,
  CANCEL_REQUESTED: 6,
  REQUEUED: 7,
  COUNTED: 20,
  ALREADY_COUNTED: 21,
  DECIDED: 22,
  RELEASED: 23,
  FLOW_FAILED: 24,
} as const;

export type QueueCodeName = keyof typeof QueueCode;
export type QueueCodeValue = (typeof QueueCode)[QueueCodeName];

const MESSAGES: Record<QueueCodeName, string> = {
  OK: 'Done.',
  EMPTY: 'No job is waiting for the operations this worker accepts.',
  MAINTENANCE: 'Maintenance mode is on: no job is handed out until it is switched off.',
  PAUSED: 'The queue is paused: no job is handed out until it is resumed.',
  WORKER_DISABLED: 'This worker is disabled: it gets no job until an operator enables it again.',
  LEASE_LOST: 'The lease is no longer held with this token (it expired, was reaped, or the job moved on).',
  ALREADY_QUEUED: 'The queue already knows this job (queued, leased or ended); nothing changed.',
  NOT_FOUND: 'The queue does not know this job.',
  RESET: 'Redis lost its data; the queue must be restored from MongoDB before anything is decided.',
  INVALID_TRANSITION: 'The job is not in a status this change may follow.',
  ALREADY_RETRIED: 'The job was already retried.',
  EPOCH_CHANGED: 'Redis lost its data since this copy of the job was read; nothing changed.',
  RETRY_SCHEDULED: 'The attempt failed; a retry is scheduled.',
  EXHAUSTED: 'The attempt failed and no attempts are left.',
  NOT_RETRYABLE: 'The attempt failed with an error that is not retryable.',
  CANCELLED: 'The attempt ended and cancellation had been requested, so the job is not retried.',
  CANCEL_REQUESTED: 'The job is leased; cancellation was requested from its worker.',
  REQUEUED: 'The lease expired; the job is queued again.',
  COUNTED: "The child's end was counted; the flow waits for more children.",
  ALREADY_COUNTED: "The child's end had been counted already; nothing changed.",
  DECIDED: "The flow's final job was already queued or ended; nothing changed.",
  RELEASED: "The flow's last child ended: its final job is queued.",
  FLOW_FAILED: "A child failed and the flow's policy fails its final job.",
};

const NAMES = new Map<number, QueueCodeName>(
  (Object.entries(QueueCode) as Array<[QueueCodeName, number]>).map(([name, value]) => [value, name]),
);

/** The name of a code a script returned; throws on a code no script should return. */
export function codeName(code: number): QueueCodeName {
  const name = NAMES.get(code);
  if (!name) throw new QueueError(`unknown queue script code ${code}`);
  return name;
}

/** A sentence for a code, fit for a log line or a userError message. */
export function codeMessage(code: QueueCodeName | number): string {
  return MESSAGES[typeof code === 'number' ? codeName(code) : code];
}

/** A fault in the queue module's use or in Redis' answers (not an expected outcome such as LEASE_LOST). */
export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}
