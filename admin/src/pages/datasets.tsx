import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { op, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, Loading, Time, UserErrors, useTitle } from '../components.js';
import type { ImportableDatasetDeleteMutation, ImportableDatasetDeleteMutationVariables, ImportableDatasetsQuery } from '../generated/graphql.js';
import { useMutation, useQuery } from '../hooks.js';
import { useSession } from '../session.js';

/** The importable datasets: `<NAME>.tar` files waiting in the service's input folder (and its archive). */

const IMPORTABLE_DATASETS = op<ImportableDatasetsQuery>(/* GraphQL */ `
  query ImportableDatasets {
    importableDatasets {
      name
      hasData
      hasMetadata
      isArchived
      sizeBytes
      modifiedAt
    }
  }
`);

const IMPORTABLE_DATASET_DELETE = op<ImportableDatasetDeleteMutation, ImportableDatasetDeleteMutationVariables>(/* GraphQL */ `
  mutation ImportableDatasetDelete($input: ImportableDatasetDeleteInput!) {
    importableDatasetDelete(input: $input) {
      deletedName
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** "512 B", "1.5 KiB", "23 MiB". */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let n = bytes;
  let unit = 'B';
  for (const u of UNITS) {
    if (n < 1024) break;
    n /= 1024;
    unit = u;
  }
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${unit}`;
}

type Dataset = ImportableDatasetsQuery['importableDatasets'][number];

function yesNo(v: boolean): JSX.Element {
  return <span class={v ? 'yes' : 'muted'}>{v ? 'Yes' : 'No'}</span>;
}

export function DatasetsPage(): JSX.Element {
  useTitle('Datasets');
  const { can } = useSession();
  const operator = can('OPERATOR');
  const datasets = useQuery(IMPORTABLE_DATASETS);
  const del = useMutation(IMPORTABLE_DATASET_DELETE);
  const [filter, setFilter] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  const all = datasets.data?.importableDatasets ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((d) => d.name.toLowerCase().includes(needle)) : all;

  const remove = async (d: Dataset) => {
    if (!confirm(`Delete ${d.name}.tar from the input folder? This cannot be undone.`)) return;
    setErrors([]);
    setNotice(null);
    const res = await del.run({ input: { name: d.name } });
    if (!res) return;
    const payload = res.importableDatasetDelete;
    setErrors(payload.userErrors);
    if (payload.deletedName) {
      const gone = payload.deletedName;
      datasets.setData((old) => (old ? { importableDatasets: old.importableDatasets.filter((x) => !(x.name === gone && !x.isArchived)) } : old));
      setNotice(`${gone}.tar deleted.`);
    }
  };

  return (
    <section class="ops-page">
      <h1>Importable datasets</h1>
      <p class="muted">
        A dataset is a <code>&lt;NAME&gt;.tar</code> file in the service's input folder (archived ones are in its <code>archive</code> folder). It has data when the tar holds a{' '}
        <code>chunks</code> entry and metadata when it holds <code>&lt;NAME&gt;.json</code>.
      </p>
      <div class="filters">
        <div class="field">
          <label for="datasets-filter">Name contains</label>
          <input id="datasets-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </div>
        <div class="actions">
          <button type="button" class="secondary" disabled={datasets.loading} onClick={() => datasets.reload()}>
            Refresh
          </button>
        </div>
        {datasets.data ? (
          <p class="muted datasets-count" role="status">
            {needle ? `${shown.length} of ${all.length}` : all.length} {all.length === 1 ? 'dataset' : 'datasets'}
          </p>
        ) : null}
      </div>
      <ErrorBox message={datasets.error} />
      <UserErrors errors={errors} />
      <ErrorBox message={del.error} />
      {notice ? (
        <p class="success" role="status">
          {notice}
        </p>
      ) : null}
      {!datasets.data ? (
        datasets.loading ? <Loading /> : null
      ) : (
        <div class="table-wrap">
          <table data-testid="datasets-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Data</th>
                <th scope="col">Metadata</th>
                <th scope="col">Archived</th>
                <th scope="col">Size</th>
                <th scope="col">Modified</th>
                {operator ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={`${d.name}:${d.isArchived}`} data-dataset={d.name}>
                  <td class="mono">{d.name}</td>
                  <td>{yesNo(d.hasData)}</td>
                  <td>{yesNo(d.hasMetadata)}</td>
                  <td>{yesNo(d.isArchived)}</td>
                  <td title={`${d.sizeBytes} bytes`}>{humanBytes(d.sizeBytes)}</td>
                  <td>
                    <Time iso={d.modifiedAt} />
                  </td>
                  {operator ? (
                    <td>
                      {d.isArchived ? (
                        <span class="muted">—</span>
                      ) : (
                        <button type="button" class="danger" disabled={del.running} onClick={() => remove(d)} aria-label={`Delete ${d.name}`}>
                          Delete
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={operator ? 7 : 6} class="muted">
                    {all.length ? 'No dataset matches the filter.' : 'No dataset is waiting in the input folder.'}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
