export {
  COLUMNS,
  type ColumnSpec,
  columnFor,
  describeColumns,
  IMPORT_KINDS,
  type ImportKind,
} from './columns.ts';
export { type ImportFileOptions, type ImportResult, importFile } from './import-file.ts';
export { licenceKey } from './kind-licences.ts';
export { terminalProgress } from './progress.ts';
export { formatOf } from './records.ts';
