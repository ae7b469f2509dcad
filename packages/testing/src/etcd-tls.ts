import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import type { EtcdTlsFiles } from "./etcd-types.js";

const run = promisify(execFile);

/** A private key and a certificate signed by `signer` (self-signed without one), written with `openssl`. */
async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  signer?: { cert: string; key: string },
): Promise<{ cert: string; key: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  if (!signer) {
    await run("openssl", [
      ...["req", "-x509", "-new", "-key", key, "-subj", subject, "-days", "2", "-out", cert],
      ...["-config", await configWith(dir, name, extensions), "-extensions", "v3"],
    ]);
    return { cert, key };
  }
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  await fs.writeFile(ext, `${extensions}\n`);
  await run("openssl", ["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  await run("openssl", [
    ...["x509", "-req", "-in", csr, "-CA", signer.cert, "-CAkey", signer.key, "-CAcreateserial"],
    ...["-days", "2", "-out", cert, "-extfile", ext],
  ]);
  return { cert, key };
}

async function configWith(dir: string, name: string, extensions: string): Promise<string> {
  const file = path.join(dir, `${name}.cnf`);
  await fs.writeFile(file, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${extensions}\n`);
  return file;
}

/**
 * Writes into `dir` a CA, a server certificate for 127.0.0.1 and localhost (usable as a client one
 * too: etcd's own gateway dials the server with it), a client certificate, and a second CA that
 * signed neither (to see a client refuse the server). EC P-256 keys, valid 2 days.
 */
export async function writeTlsFiles(dir: string): Promise<EtcdTlsFiles> {
  await fs.mkdir(dir, { recursive: true });
  const caExt = "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign";
  const [ca, untrusted] = await Promise.all([
    issue(dir, "ca", "/CN=aiq test CA", caExt),
    issue(dir, "untrusted-ca", "/CN=aiq untrusted CA", caExt),
  ]);
  const leaf = "basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment";
  const server = await issue(
    dir,
    "server",
    "/CN=127.0.0.1",
    `${leaf}\nextendedKeyUsage = serverAuth, clientAuth\nsubjectAltName = IP:127.0.0.1, DNS:localhost`,
    ca,
  );
  const client = await issue(dir, "client", "/O=aiq test client", `${leaf}\nextendedKeyUsage = clientAuth`, ca);
  return {
    ca: ca.cert,
    cert: client.cert,
    key: client.key,
    serverCert: server.cert,
    serverKey: server.key,
    untrustedCa: untrusted.cert,
  };
}
