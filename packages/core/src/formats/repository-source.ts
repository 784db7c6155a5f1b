/**
 * The `repository.source` of a repository URL: the forge's name from its host (`github.com` →
 * `github`, `gitlab.com` → `gitlab`). ToolHive assumes `github`; that stays the answer when the
 * URL has no host.
 */
export function repositorySource(url: string): string {
  const labels = URL.canParse(url) ? new URL(url).hostname.split('.').filter(Boolean) : [];
  return labels.at(-2) ?? labels[0] ?? 'github';
}
