// Lint, and the layering rules that keep each runtime's code where it can run:
//   shared/        pure: imports neither electron/ nor renderer/, nor Node built-ins, nor electron
//   electron/core  host-agnostic: never imports electron
//   renderer/      browser only: never Node built-ins, never electron/ or electron
//   electron/preload  sandboxed: no Node built-ins, only electron and shared/
// A violation is an error, so it fails `npm test`.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const noElectron = { name: 'electron', message: 'Only electron/main and electron/preload may import electron.' };
const noNode = nodeBuiltins.map((name) => ({ name, message: 'This layer runs in a browser: no Node built-ins.' }));

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron, ...noNode],
        patterns: [
          { group: ['**/electron', '**/electron/**', '**/renderer', '**/renderer/**'], message: 'shared/ is imported by both sides and imports neither.' },
        ],
      }],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['electron/*'], message: 'electron/core is host-agnostic.' },
          { group: ['**/renderer', '**/renderer/**'], message: 'The core never imports the UI.' },
          { group: ['**/main', '**/main/**', '**/preload', '**/preload/**', '**/server', '**/server/**', '**/cli', '**/cli/**'], message: 'The core never imports a host.' },
        ],
      }],
    },
  },
  {
    // A sandboxed preload cannot load Node built-ins; it reaches the core through ports only.
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: noNode,
        patterns: [{ group: ['**/core', '**/core/**', '**/main', '**/main/**', '**/renderer', '**/renderer/**'], message: 'The preload carries the contract; it imports only electron and shared/.' }],
      }],
    },
  },
  {
    files: ['electron/server/**/*.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/renderer', '**/renderer/**'], message: 'Hosts talk to the renderer through the contract only.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': ['error', {
        paths: [noElectron, ...noNode],
        patterns: [
          { group: ['**/electron', '**/electron/**'], message: 'The renderer reaches the core through the contract, never by import.' },
        ],
      }],
    },
  },
);
