import { describeJsonSyntaxError } from '@thv/registry-core';
import semver from 'semver';

/** Prefix of every annotation the source reads. */
export const ANNOTATION_PREFIX = 'toolhive.stacklok.dev/';

/** The annotations the source reads, by what they say. */
export const ANNOTATIONS = {
  /** `"true"`: the resource becomes a registry entry. */
  export: `${ANNOTATION_PREFIX}registry-export`,
  /** The entry's remote URL; default: the resource's `status.url`. */
  url: `${ANNOTATION_PREFIX}registry-url`,
  description: `${ANNOTATION_PREFIX}registry-description`,
  title: `${ANNOTATION_PREFIX}registry-title`,
  /** A semver version; default: the image tag when it is one, else 1.0.0. */
  version: `${ANNOTATION_PREFIX}registry-version`,
  /** An https URL of an icon. */
  icon: `${ANNOTATION_PREFIX}registry-icon`,
  /** Becomes the entry's tag (so `filter.tags` selects it). */
  category: `${ANNOTATION_PREFIX}registry-category`,
  /** Comma-separated tool names. */
  tools: `${ANNOTATION_PREFIX}tools`,
  /** A JSON array of MCP tool definitions. */
  toolDefinitions: `${ANNOTATION_PREFIX}tool-definitions`,
  /** The registry server a resource not exported runs, for `/api/v0/deployed`. */
  serverName: `${ANNOTATION_PREFIX}registry-server-name`,
} as const;

/** What the annotations of an exported resource say about its entry. */
export interface ExportSettings {
  url?: string;
  description?: string;
  title?: string;
  version?: string;
  icon?: string;
  category?: string;
  tools?: string[];
  toolDefinitions?: Record<string, unknown>[];
}

/** The settings read, and one problem per annotation that could not be used. */
export interface ReadSettings {
  settings: ExportSettings;
  problems: string[];
}

/** True when the resource asks to be exported (`registry-export: "true"`). */
export function exportRequested(annotations: Record<string, string>): boolean {
  return annotations[ANNOTATIONS.export] === 'true';
}

/**
 * Reads the export annotations. A value that cannot be used is a problem naming the annotation
 * (and quoting the value only where it cannot hold a credential).
 */
export function readExportSettings(annotations: Record<string, string>): ReadSettings {
  const settings: ExportSettings = {};
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const text = annotations[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };

  const url = value(ANNOTATIONS.url);
  if (url !== undefined) {
    if (isHttpUrl(url, ['http:', 'https:'])) settings.url = url;
    else problems.push(`annotation ${ANNOTATIONS.url} is not an http or https URL`);
  }
  const version = value(ANNOTATIONS.version);
  if (version !== undefined) {
    const clean = semver.valid(version);
    if (clean !== null) settings.version = clean;
    else problems.push(`annotation ${ANNOTATIONS.version} "${version}" is not a semver version (such as 1.2.0)`);
  }
  const icon = value(ANNOTATIONS.icon);
  if (icon !== undefined) {
    if (isHttpUrl(icon, ['https:'])) settings.icon = icon;
    else problems.push(`annotation ${ANNOTATIONS.icon} is not an https URL`);
  }
  const definitions = value(ANNOTATIONS.toolDefinitions);
  if (definitions !== undefined) {
    const parsed = parseToolDefinitions(definitions);
    if (typeof parsed === 'string') problems.push(`annotation ${ANNOTATIONS.toolDefinitions} ${parsed}`);
    else settings.toolDefinitions = parsed;
  }
  const description = value(ANNOTATIONS.description);
  if (description !== undefined) settings.description = description;
  const title = value(ANNOTATIONS.title);
  if (title !== undefined) settings.title = title;
  const category = value(ANNOTATIONS.category);
  if (category !== undefined) settings.category = category;
  const tools = value(ANNOTATIONS.tools)?.split(',').map((tool) => tool.trim()).filter((tool) => tool !== '');
  if (tools !== undefined && tools.length > 0) settings.tools = tools;
  return { settings, problems };
}

function isHttpUrl(text: string, protocols: readonly string[]): boolean {
  if (/\s/.test(text)) return false;
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** The tool definitions, or what is wrong with them (to follow the annotation's name). */
function parseToolDefinitions(text: string): Record<string, unknown>[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `is not valid JSON: ${describeJsonSyntaxError(error, text)}`;
  }
  const isObject = (item: unknown): boolean => typeof item === 'object' && item !== null && !Array.isArray(item);
  if (!Array.isArray(parsed) || !parsed.every(isObject)) return 'is not a JSON array of tool definitions (objects)';
  return parsed as Record<string, unknown>[];
}
