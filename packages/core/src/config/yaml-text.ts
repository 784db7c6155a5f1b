import { LineCounter, parseDocument } from 'yaml';
import type { ErrorDetail } from '../errors.js';
import { createConfigError } from './config-error.js';

/**
 * Parses the text of a config file (YAML 1.2, so JSON too). Syntax errors, duplicate keys and an
 * empty file throw a ConfigError whose details give the line and column.
 */
export function parseYamlText(text: string, configPath: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const details = document.errors.map((error): ErrorDetail => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { path: '', message: `YAML syntax error at line ${line}, column ${col}: ${error.message}` };
    });
    throw createConfigError(configPath, details);
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) {
    throw createConfigError(configPath, [{ path: '', message: 'the file is empty' }]);
  }
  return value;
}
