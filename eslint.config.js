// Layers point one way (STYLE.md): each top-level folder is a package whose index.ts is its only
// public surface. These rules make a wrong-way or deep import a lint error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const FOLDERS = ['agtalk', 'adapters', 'agact', 'suites', 'profiles', 'common', 'agtest', 'reference-agent', 'envelopes', 'load', 'serve'];

/** Imports of any of `folders` from a file inside another top-level folder. */
const importOf = (folders) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})/`,
  message: 'This layer may not import that folder (see eslint.config.js and STYLE.md).',
});
const noDeepImports = {
  regex: `^(\\.\\./)+(${FOLDERS.join('|')})/(?!index\\.js$).+`,
  message: "Import another folder only through its index.js (its public surface).",
};
const layer = (files, forbidden) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [noDeepImports, ...(forbidden.length ? [importOf(forbidden)] : [])] }] },
});
const except = (...allowed) => FOLDERS.filter((folder) => !allowed.includes(folder));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**', 'agtest-out/**', 'examples/**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  layer(['agtalk/**'], except()),
  layer(['common/**'], except()),
  layer(['envelopes/**'], except()),
  // The reference agent answers agent-metadata with the public profiles library and packs with the
  // public envelopes library, as any agent may.
  layer(['reference-agent/**'], except('profiles', 'common', 'envelopes')),
  layer(['profiles/**'], except('common')),
  layer(['agact/**'], except('common')),
  // Suites read scores (the meta cluster compares profiles) with the one score parser of profiles.
  layer(['suites/**'], except('profiles')),
  layer(['adapters/**'], except('agtalk', 'common')),
  // Load scenarios drive agents over the adapters' transport code and agact, as a library (DESIGN.md §9).
  layer(['load/**'], except('common', 'agtalk', 'adapters', 'agact', 'envelopes', 'reference-agent', 'profiles')),
  // The service runs its tasks through the load engine's public API, as the CLI does (DESIGN.md §10),
  // and reads and compares interop profiles with the profiles library (certify, compare_profiles);
  // certify resolves the did:peer DIDs a DIDComm agent named with envelopes (its offListEndpoints).
  layer(['serve/**'], except('common', 'load', 'profiles', 'envelopes')),
  layer(['agtest/**'], except('agtalk', 'common', 'adapters', 'agact', 'suites', 'profiles', 'reference-agent', 'envelopes', 'load', 'serve')),
  layer(['bench/**'], except('agtalk', 'common', 'adapters', 'agact', 'suites', 'profiles', 'reference-agent', 'agtest', 'envelopes', 'load')),
  {
    // Library code reports through return values, events and injected streams, never the console.
    files: ['agtalk/**', 'adapters/**', 'agact/**', 'suites/**', 'profiles/**', 'common/**', 'agtest/**', 'envelopes/**', 'load/**', 'serve/**'],
    ignores: ['**/main.ts', '**/*-main.ts', 'agtest/cli.ts'],
    rules: { 'no-console': 'error' },
  },
);
