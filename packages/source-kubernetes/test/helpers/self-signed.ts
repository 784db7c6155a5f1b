import { generate } from 'selfsigned';

/** A PEM certificate and its private key. */
export interface TlsCredentials {
  /** The certificate; also the CA a client must trust. */
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed certificate for `localhost` and `127.0.0.1`, valid for a day, made with an EC key
 * (fast). It is its own CA: a client trusts it by taking `cert` as its CA.
 */
export async function selfSignedCertificate(): Promise<TlsCredentials> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'kube-api-emulator' }], {
    keyType: 'ec',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
