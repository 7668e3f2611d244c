import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Resolvers } from '../generated/graphql.js';
import type { ListOptions } from '../services/pagination.js';

/** Counts are read only when asked (see Connection.totalCount). */
const totalCount = (c: { totalCount: () => Promise<number> }) => c.totalCount();

export const connectionResolvers: Resolvers = {
  JobConnection: { totalCount },
  TargetConnection: { totalCount },
  WorkerConnection: { totalCount },
  MaintenanceEventConnection: { totalCount },
};

/** List options for a connection field: count beside the page's read when the query selects totalCount. */
export function listOptions(info: GraphQLResolveInfo): ListOptions {
  return { countNow: info.fieldNodes.some((node) => selects(node.selectionSet, 'totalCount', info)) };
}

function selects(set: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo): boolean {
  return (set?.selections ?? []).some((s) => {
    if (s.kind === 'Field') return (s as FieldNode).name.value === name;
    if (s.kind === 'InlineFragment') return selects(s.selectionSet, name, info);
    return selects(info.fragments[s.name.value]?.selectionSet, name, info);
  });
}
