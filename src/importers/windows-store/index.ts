export * from './import-windows-output.ts';
