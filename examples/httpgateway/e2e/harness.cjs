'use strict';
// Test harness: builds and starts the gateway, loads the official SDKs
// under Node (wire-contract §2.1), and signs raw Server API requests with
// the server SDK's own v1HMAC helper.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const gatewayDir = path.resolve(__dirname, '..');

// startGateway builds the gateway and starts it on a free loopback port
// with the given data file. It resolves once the gateway listens (on HTTP,
// and on gRPC too when extraArgs has -grpc-addr: grpcAddr is then its
// host:port).
async function startGateway(dataFile, extraArgs = []) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'httpgateway-e2e-'));
  const bin = path.join(tmp, 'httpgateway');
  execFileSync('go', ['build', '-C', gatewayDir, '-o', bin, '.'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOWORK: 'off' },
  });
  const child = spawn(bin, ['-addr', '127.0.0.1:0', '-data', dataFile, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const wantGRPC = extraArgs.includes('-grpc-addr');
  let grpcAddr;
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway did not start:\n' + stderr)), 60000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      const g = /gRPC on (127\.0\.0\.1:\d+)/.exec(stderr);
      if (g) grpcAddr = g[1];
      if (m && (!wantGRPC || g)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${stderr}`));
    });
  });
  const port = Number(new URL(origin).port);
  return {
    origin,
    port,
    grpcAddr,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await exited;
      fs.rmSync(tmp, { recursive: true, force: true });
      return code;
    },
  };
}

// installBrowserGlobals gives Node the few browser globals the client SDK
// reads at call time (wire-contract §2.1).
function installBrowserGlobals() {
  const nav = {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) httpgateway-e2e',
    language: 'en-US',
    javaEnabled: () => false,
  };
  globalThis.window = globalThis.window || {
    btoa: (s) => Buffer.from(s, 'binary').toString('base64'),
    innerWidth: 1280,
    innerHeight: 800,
    navigator: nav,
  };
  globalThis.document = globalThis.document || { GC: {} };
  if (typeof globalThis.navigator === 'undefined' || typeof globalThis.navigator.javaEnabled !== 'function') {
    Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
  }
  globalThis.screen = globalThis.screen || { colorDepth: 24, width: 1280, height: 800 };
}

// loadClientSDK requires connect-sdk-client-js with the node-forge
// workaround: while process.versions['node-webkit'] is set, the bundled
// forge seeds from WebCrypto instead of the (empty) Node crypto stub.
function loadClientSDK() {
  installBrowserGlobals();
  const had = Object.prototype.hasOwnProperty.call(process.versions, 'node-webkit');
  if (!had) process.versions['node-webkit'] = 'httpgateway-e2e';
  try {
    return require('connect-sdk-client-js');
  } finally {
    if (!had) delete process.versions['node-webkit'];
  }
}

const connectSdk = require('connect-sdk-nodejs');
const { getV1HMACSignature } = require('connect-sdk-nodejs/lib/utils/authentication');

// serverClient returns a connect-sdk-nodejs client for the gateway.
function serverClient(gw, apiKeyId = 'testKeyId', secretApiKey = 'testSecretApiKey') {
  return connectSdk.init({
    host: '127.0.0.1', scheme: 'http', port: gw.port,
    apiKeyId, secretApiKey, integrator: 'httpgateway-e2e',
  });
}

// signedFetch sends a raw v1HMAC-signed Server API request (for the
// gateway's own endpoints, which the SDK does not know), signed exactly as
// the SDK signs its own requests.
async function signedFetch(gw, method, pathAndQuery, body, opts = {}) {
  const keyId = opts.apiKeyId || 'testKeyId';
  const secret = opts.secretApiKey || 'testSecretApiKey';
  const date = opts.date || new Date().toUTCString();
  const contentType = opts.contentType || 'application/json';
  const sig = getV1HMACSignature(method, contentType, date, [], pathAndQuery, secret);
  const res = await fetch(gw.origin + pathAndQuery, {
    method,
    headers: {
      'Content-Type': contentType,
      Date: date,
      Authorization: `GCS v1HMAC:${keyId}:${opts.badSignature ? 'AAAA' + sig.slice(4) : sig}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: text ? JSON.parse(text) : null,
  };
}

module.exports = { startGateway, loadClientSDK, serverClient, signedFetch, gatewayDir };
