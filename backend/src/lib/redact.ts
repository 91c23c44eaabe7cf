/**
 * Secrets that travel in URLs, scrubbed from every log line: tokens (SSE's `access_token`, OAuth
 * `code`/`secret`/`refresh_token`), the signature and expiry of local signed links
 * (`/files/<key>?exp=&sig=`), and S3/OSS/COS presigned parameters (`X-Amz-Signature`,
 * `X-Amz-Credential`, `X-Amz-Security-Token`, `Signature`, `q-signature`…). Also matches them
 * percent-encoded inside another URL (`%3Fsig%3D…`, `%26X-Amz-Signature%3D…`).
 */
const SECRET_PARAM =
  /([?&;]|%3F|%26)(access_token|refresh_token|secret|code|sig|exp|signature|x-amz-signature|x-amz-credential|x-amz-security-token|q-signature|q-ak|ossaccesskeyid|security-token)(=|%3D)[^&#"'\s\\<>]*/gi;

export const REDACTED = "[redacted]";

/** `url` (or any text holding URLs) with the value of every secret query parameter replaced. */
export function redactUrl(text: string): string {
  return text.replace(
    SECRET_PARAM,
    (_m, sep: string, name: string, eq: string) => `${sep}${name}${eq}${REDACTED}`,
  );
}
