export { type EsuCoverage, esuCoverage, esuCovers } from './coverage.ts';
export { esuPlaceholders, renderEsuVerdict } from './describe.ts';
export { type EsuVerdict, evaluateEsu } from './evaluate.ts';
export type { EsuPart, EsuReason } from './findings.ts';
export { prerequisitesAsOf } from './prerequisites.ts';
export { type EsuKeyState, type EsuQuestion, EsuQuestionInput, toEsuQuestion } from './question.ts';
