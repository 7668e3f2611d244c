import { createContext, type ComponentChildren, type JSX } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { op } from './api.js';
import type { MaintenanceBannerSubscription, MaintenanceStatusQuery, ViewerQuery } from './generated/graphql.js';
import { useQuery, useSubscription } from './hooks.js';

export type Role = 'VIEWER' | 'SUBMITTER' | 'OPERATOR' | 'ADMIN' | 'WORKER';
/** People's roles are ranked; the server enforces the same order (schema/base.graphql). */
const RANK: Record<Role, number> = { WORKER: 0, VIEWER: 1, SUBMITTER: 2, OPERATOR: 3, ADMIN: 4 };

export const VIEWER_QUERY = op<ViewerQuery>(/* GraphQL */ `
  query Viewer {
    viewer {
      id
      roles
      tokenExpiresAt
    }
  }
`);

export const MAINTENANCE_FIELDS = /* GraphQL */ `
  fragment MaintenanceFields on MaintenanceStatus {
    paused
    message
    setBy
    since
    drained
    runningJobs
    queuedJobs
  }
`;

export const MAINTENANCE_STATUS = op<MaintenanceStatusQuery>(/* GraphQL */ `
  query MaintenanceStatus {
    maintenanceStatus {
      ...MaintenanceFields
    }
  }
  ${MAINTENANCE_FIELDS}
`);

export const MAINTENANCE_CHANGED = op<MaintenanceBannerSubscription>(/* GraphQL */ `
  subscription MaintenanceBanner {
    maintenanceStatusChanged {
      ...MaintenanceFields
    }
  }
  ${MAINTENANCE_FIELDS}
`);

export type Maintenance = MaintenanceStatusQuery['maintenanceStatus'];

export interface Session {
  viewer: ViewerQuery['viewer'];
  /** Whether the caller holds `role` or a higher one. */
  can: (role: Role) => boolean;
  /** Maintenance mode now, kept live for every page. */
  maintenance: Maintenance | null;
  setMaintenance: (m: Maintenance) => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}

/** Loads who the caller is and keeps maintenance mode live; renders `fallback` until the viewer is known. */
export function SessionProvider({ children, fallback }: { children: ComponentChildren; fallback: (error: string | null) => JSX.Element }): JSX.Element {
  const viewer = useQuery(VIEWER_QUERY);
  const status = useQuery(MAINTENANCE_STATUS);
  const [live, setLive] = useState<Maintenance | null>(null);
  useSubscription(MAINTENANCE_CHANGED, undefined, (d) => setLive(d.maintenanceStatusChanged));
  // A fresh read (e.g. after a reconnect) is newer than the last event.
  useEffect(() => setLive(null), [status.data]);
  if (!viewer.data) return fallback(viewer.error);
  const roles = viewer.data.viewer.roles as Role[];
  const top = Math.max(...roles.map((r) => RANK[r] ?? 0));
  const session: Session = {
    viewer: viewer.data.viewer,
    can: (role) => top >= RANK[role],
    maintenance: live ?? status.data?.maintenanceStatus ?? null,
    setMaintenance: setLive,
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
