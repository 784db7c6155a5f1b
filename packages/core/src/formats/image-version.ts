/** The server version used when an image tag says nothing about it, as ToolHive does. */
export const DEFAULT_TOOLHIVE_VERSION = '1.0.0';

// A release-like tag: digits and dots, an optional pre-release or build suffix, an optional `v`.
const VERSION_TAG = /^v?(\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]+)?)$/;

/**
 * The server version of a container image: its tag when the tag is a release number (a leading
 * `v` dropped so `v1.7.0` sorts as semver), else {@link DEFAULT_TOOLHIVE_VERSION} (no tag, a
 * digest, or a moving tag such as `latest`, which would also clash with the API's `latest` alias).
 */
export function versionFromImage(image: string): string {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1).split('@')[0] ?? '';
  const colon = lastSegment.indexOf(':');
  const tag = colon === -1 ? '' : lastSegment.slice(colon + 1);
  return VERSION_TAG.exec(tag)?.[1] ?? DEFAULT_TOOLHIVE_VERSION;
}
