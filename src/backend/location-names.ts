// How S3 and SFTP locations are named in messages, apart from their backends so that the name
// is known without loading the AWS SDK or ssh2 (see lazy-backend.ts).

export function s3LocationName(o: { readonly endpoint: string; readonly bucket: string; readonly prefix: string }): string {
  return `s3:${o.endpoint.replace(/\/+$/, '')}/${o.bucket}${o.prefix ? `/${o.prefix}` : ''}`;
}

/** restic's URL form: `//abs/path` for an absolute folder, `/rel` for one under the home. */
export function sftpLocationName(o: { readonly username: string; readonly host: string; readonly port?: number; readonly path: string }): string {
  const port = o.port ?? 22;
  return `sftp://${o.username}@${o.host}${port === 22 ? '' : `:${port}`}/${o.path}`;
}
