import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Schema-first types: schema/*.graphql → src/generated/graphql.ts (resolvers),
 * and the operations of the admin app (admin/src) → admin/src/generated/graphql.ts.
 * The outputs are committed; `npm run codegen:check` (part of the test command)
 * fails when it drifts from the schema.
 */
const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/*.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../context.js#GraphQLContext',
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'Date', JSON: 'unknown' },
        useIndexSignature: false,
        // The stored model is the parent type; field resolvers turn it into schema fields.
        mappers: {
          Viewer: '../auth/principal.js#Principal',
          Job: '../models/job.js#JobRecord',
          JobParameters: '../models/job.js#JobRecord',
          JobLogEntry: '../models/job.js#JobLogRecord',
          BumpManifesto: '../models/job.js#BumpManifestoRecord',
          Target: '../services/targets.js#TargetRef',
          TargetAction: '../models/target.js#TargetActionRecord',
          MaintenanceEvent: '../models/maintenance.js#MaintenanceEventRecord',
          ModuleData: '../models/moduleData.js#ModuleDataRecord',
          Worker: '../services/workers.js#WorkerView',
          JobConnection: '../services/pagination.js#JobConnectionModel',
          TargetConnection: '../services/pagination.js#TargetConnectionModel',
          WorkerConnection: '../services/pagination.js#WorkerConnectionModel',
          MaintenanceEventConnection: '../services/pagination.js#MaintenanceEventConnectionModel',
          JobLease: '../services/lifecycle.js#LeaseView',
          JobReportProgressPayload: '../services/lifecycle.js#ProgressPayload',
          Queue: '../services/queue.js#QueueView',
          ConcurrencyCap: '../services/caps.js#CapView',
          Flow: '../services/flows.js#FlowView',
          Schedule: '../models/schedule.js#ScheduleRecord',
          ScheduleRun: '../models/schedule.js#ScheduleRunRecord',
          ScheduleConnection: '../services/pagination.js#ScheduleConnectionModel',
          JobEvent: '../services/events.js#JobEventView',
          WorkerEvent: '../services/events.js#WorkerEventView',
          BulkAction: '../models/bulkAction.js#BulkActionRecord',
          BulkActionFailure: '../models/bulkAction.js#BulkFailureRecord',
          BulkActionConnection: '../services/bulkActions.js#BulkActionConnectionModel',
          RetentionPass: '../models/retention.js#RetentionPassRecord',
          Retention: '../services/retention.js#RetentionView',
        },
      },
    },
    // Result and variable types of every operation the admin app sends, checked against the schema.
    'admin/src/generated/graphql.ts': {
      documents: ['admin/src/**/*.{ts,tsx}', '!admin/src/generated/**'],
      plugins: ['typescript-operations'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        onlyOperationTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
