export * from './catalogue-search.ts';
export * from './kit.ts';
export * from './mak-ledger.ts';
export * from './orders.ts';
export * from './product-key.ts';
export * from './quote.ts';
export * from './readiness.ts';
export * from './scripts.ts';
