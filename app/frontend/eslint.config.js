// ESLint flat config for `npm run lint` (eslint .). Prettier owns formatting, so no style rules here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typeAware = {
  parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
};

export default defineConfig([
  // schema.d.ts is generated (npm run gen:api) and checked against openapi.json by src/api/schema.test.ts.
  globalIgnores(['dist/', 'src/api/schema.d.ts']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    // The page and its unit tests, type-checked through tsconfig.app.json.
    files: ['src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.strictTypeChecked, reactHooks.configs.flat.recommended],
    languageOptions: { ...typeAware, globals: globals.browser },
    rules: {
      // Strict forbids every non-string in a template; numbers (sizes, counts, percentages)
      // print unambiguously, so allow those and keep the rest of strict's options.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowAny: false,
          allowBoolean: false,
          allowNever: false,
          allowNullish: false,
          allowNumber: true,
          allowRegExp: false,
        },
      ],
      // `onClick={() => setOpen(true)}` and `waitFor(() => expect(x).toBe(y))` are the React
      // and Testing Library idioms; still report void values used in any other position.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // Build config, run by Node (tsconfig.node.json).
    files: ['vite.config.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: { ...typeAware, globals: globals.node },
  },
  {
    // Browser tests (node --test driving Chromium through playwright-core) and this file:
    // plain JavaScript run by Node.
    files: ['e2e/**/*.mjs', '*.js', '*.mjs'],
    languageOptions: { globals: globals.node },
  },
]);
