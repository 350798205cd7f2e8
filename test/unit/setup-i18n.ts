// Node tests format messages in both languages: the Chinese tables, loaded on demand in the app, are
// loaded once before any test runs.
import { loadLang } from '../../src/i18n';

await loadLang('zh');
