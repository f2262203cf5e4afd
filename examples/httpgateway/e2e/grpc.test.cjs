'use strict';
// End-to-end test of the gateway's gRPC side (-grpc-addr) with an independent gRPC client:
// @grpc/grpc-js and @grpc/proto-loader from npm (pinned in package-lock.json), loading the proto as
// committed (transport/connectgrpc/proto), with proto-loader's default object options (no
// defaults filled in: a member the server did not send is absent). Merchants sign their calls with
// the API key they sign their HTTP calls with (v1HMAC over gRPC), here with the official server
// SDK's own helper. Error details are read with protobufjs (the library proto-loader uses).
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const { getV1HMACSignature } = require('connect-sdk-nodejs/lib/utils/authentication');
const connectSdk = require('connect-sdk-nodejs');

const { startGateway, loadClientSDK } = require('./harness.cjs');

const sdk = loadClientSDK();
const protoDir = path.resolve(__dirname, '..', '..', '..', 'transport', 'connectgrpc', 'proto');
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync('clientsession/v1/clientsession.proto',
  { includeDirs: [protoDir], longs: String })).clientsession.v1;
const sdkBodies = JSON.parse(fs.readFileSync(path.join(__dirname, 'sdk-bodies.json'), 'utf8')).bodies;

// The google.rpc details the server sends (google/rpc/status.proto and error_details.proto, the
// members read here): protobufjs types, field numbers as published.
const rpc = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
  message BadRequest {
    message FieldViolation { string field = 1; string description = 2; string reason = 3; }
    repeated FieldViolation field_violations = 1;
  }
  message RetryInfo { Duration retry_delay = 1; }
`, { keepCase: false }).root;

// details decodes a grpc-js error's google.rpc.Status details: { info, violations, retry }.
function details(err) {
  const bin = err.metadata && err.metadata.get('grpc-status-details-bin')[0];
  assert.ok(bin, `no status details in ${err}`);
  const st = rpc.lookupType('google.rpc.Status').decode(bin);
  assert.equal(st.code, err.code, 'the details are the status of the call');
  const out = { violations: [] };
  for (const d of st.details) {
    const name = d.typeUrl.slice(d.typeUrl.lastIndexOf('/') + 1);
    const m = rpc.lookupType(name).decode(d.value);
    if (name === 'google.rpc.ErrorInfo') out.info = m;
    if (name === 'google.rpc.BadRequest') out.violations.push(...m.fieldViolations.map((v) => v.field));
    if (name === 'google.rpc.RetryInfo') out.retry = m;
  }
  return out;
}

let gw;
let sessions;
let clients;

before(async () => {
  gw = await startGateway(path.join(__dirname, 'fixture.json'), ['-grpc-addr', '127.0.0.1:0']);
  sessions = new pkg.SessionService(gw.grpcAddr, grpc.credentials.createInsecure());
  clients = new pkg.ClientService(gw.grpcAddr, grpc.credentials.createInsecure());
});

after(async () => {
  if (sessions) sessions.close();
  if (clients) clients.close();
  if (gw) {
    const code = await gw.stop();
    assert.equal(code, 0, 'gateway exit code after SIGTERM (graceful shutdown of HTTP and gRPC)\n' + gw.stderr());
  }
});

const CREATE = '/clientsession.v1.SessionService/CreateSession';

// signed is the metadata of a SessionService call signed for merchantId (v1HMAC over gRPC): the
// string to sign is POST, application/grpc, the date, the x-gcs-* metadata and the full method,
// signed here with connect-sdk-nodejs's getV1HMACSignature.
function signed(method, { merchantId = '1234', keyId = 'testKeyId', secret = 'testSecretApiKey', idempotenceKey } = {}) {
  const date = new Date().toUTCString();
  const gcs = [];
  if (idempotenceKey !== undefined) gcs.push({ key: 'x-gcs-idempotence-key', value: idempotenceKey });
  gcs.push({ key: 'x-gcs-merchant-id', value: merchantId });
  const md = new grpc.Metadata();
  for (const h of gcs) md.set(h.key, h.value);
  md.set('date', date);
  md.set('authorization', `GCS v1HMAC:${keyId}:${getV1HMACSignature('POST', 'application/grpc', date, gcs, method, secret)}`);
  return md;
}

// clientMD is the metadata of a ClientService call of a session.
function clientMD(s) {
  const md = new grpc.Metadata();
  md.set('authorization', `GCS v1Client:${s.clientSessionId}`);
  return md;
}

// call makes a unary call and resolves with { resp, header } or rejects with the grpc-js error.
function call(client, method, req, md, options = {}) {
  return new Promise((resolve, reject) => {
    let header;
    const c = client[method](req, md, options, (err, resp) => (err ? reject(err) : resolve({ resp, header })));
    c.on('metadata', (m) => { header = m; });
  });
}

async function create(req = {}, opts = {}) {
  const { resp } = await call(sessions, 'CreateSession', req, signed(CREATE, opts));
  return resp;
}

const NL_EUR = { countryCode: 'NL', currencyCode: 'EUR', amount: 1000, isRecurring: false };
const IIN_NL_EUR = { countryCode: 'NL', isRecurring: false, isInstallments: false, amountOfMoney: { amount: 1000, currencyCode: 'EUR' } };

describe('SessionService with @grpc/grpc-js', () => {
  test('create, signed with the merchant API key', async () => {
    const s = await create({ tokens: ['tok-visa', 'unknown-token'] });
    assert.match(s.clientSessionId, /^[0-9a-f]{32}$/);
    assert.match(s.customerId, /^1234-[0-9a-f]{32}$/);
    assert.equal(s.clientApiUrl, gw.origin + '/client');
    assert.equal(s.assetUrl, gw.origin + '/');
    assert.equal(s.region, 'EU');
    assert.deepEqual(s.invalidTokens, ['unknown-token']);
  });

  test('unsigned, wrong secret, another merchant key: Unauthenticated or PermissionDenied with ErrorInfo', async () => {
    await assert.rejects(call(sessions, 'CreateSession', {}, new grpc.Metadata()), (e) => {
      assert.equal(e.code, grpc.status.UNAUTHENTICATED);
      assert.equal(details(e).info.metadata.code, '9002');
      return true;
    });
    await assert.rejects(create({}, { secret: 'wrongSecret' }), (e) => {
      assert.equal(e.code, grpc.status.UNAUTHENTICATED);
      assert.equal(details(e).info.reason, 'MISSING_OR_INVALID_AUTHORIZATION');
      return true;
    });
    await assert.rejects(create({}, { keyId: 'otherKeyId', secret: 'otherSecretApiKey' }), (e) => {
      assert.equal(e.code, grpc.status.PERMISSION_DENIED);
      assert.equal(details(e).info.metadata.code, '9007');
      return true;
    });
  });

  test('idempotent create: a repeat gets the first session and the first attempt\'s timestamp', async () => {
    const idempotenceKey = 'e2e-grpc-' + crypto.randomBytes(6).toString('hex');
    const first = await call(sessions, 'CreateSession', { tokens: ['tok-visa'] }, signed(CREATE, { idempotenceKey }));
    assert.deepEqual(first.header.get('x-gcs-idempotence-request-timestamp'), [], 'no timestamp on the first answer');
    const before = Date.now();
    const again = await call(sessions, 'CreateSession', {}, signed(CREATE, { idempotenceKey }));
    assert.deepEqual(again.resp, first.resp, 'the first answer again');
    const ts = Number(again.header.get('x-gcs-idempotence-request-timestamp')[0]);
    assert.ok(Number.isInteger(ts) && ts <= before && ts > before - 60000, `timestamp ${ts}`);
    await assert.rejects(call(sessions, 'CreateSession', {}, signed(CREATE, { idempotenceKey: 'k'.repeat(41) })), (e) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.deepEqual(details(e).violations, ['x-gcs-idempotence-key']);
      return true;
    });
  });

  test('an error names the request path: InvalidArgument with ErrorInfo and BadRequest', async () => {
    await assert.rejects(create({ paymentProductFilters: { exclude: { groups: ['cards', 'wallets'] } } }), (e) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      const d = details(e);
      assert.equal(d.info.reason, 'UNKNOWN_PAYMENT_PRODUCT_GROUP');
      assert.equal(d.info.domain, 'clientsession.engine');
      assert.equal(d.info.metadata.httpStatusCode, '400');
      assert.deepEqual(d.violations, ['paymentProductFilters.exclude.groups[1]']);
      return true;
    });
  });
});

describe('ClientService with @grpc/grpc-js', () => {
  test('products with accounts on file, one product with fields, groups, public key', async () => {
    const s = await create({ tokens: ['tok-visa', 'tok-mastercard'] });
    const { resp: list } = await call(clients, 'GetPaymentProducts', { customerId: s.customerId, paymentContext: NL_EUR, hideFields: true }, clientMD(s));
    assert.deepEqual(list.paymentProducts.map((p) => p.id), [1, 2, 3, 840, 809]);
    const visa = list.paymentProducts[0];
    assert.equal(visa.displayHints.logo, 'pp_logo_1.png');
    assert.equal(visa.displayHints.label, 'VISA');
    assert.equal(visa.accountsOnFile[0].attributes.find((a) => a.key === 'alias').value, '************0026');
    assert.equal(visa.fields, undefined, 'hideFields leaves the fields out');
    // Always-sent members are on the wire when false: proto-loader fills no defaults here.
    assert.equal(visa.canBeIframed, true);
    assert.equal(visa.autoTokenized, false);
    assert.equal(list.paymentProducts[3].maxAmount, '1000000', 'int64 as a string (longs: String)');

    const { resp: one } = await call(clients, 'GetPaymentProduct', { customerId: s.customerId, paymentProductId: 1, paymentContext: NL_EUR }, clientMD(s));
    assert.deepEqual(one.fields.map((f) => f.id), ['cardNumber', 'expiryDate', 'cvv', 'cardholderName']);
    assert.equal(one.fields[0].dataRestrictions.isRequired, true);
    assert.deepEqual(one.fields[0].dataRestrictions.validators.luhn, {});

    const { resp: groups } = await call(clients, 'GetPaymentProductGroups', { customerId: s.customerId, paymentContext: NL_EUR }, clientMD(s));
    assert.deepEqual(groups.paymentProductGroups.map((g) => g.id), ['cards']);
    assert.equal(groups.paymentProductGroups[0].accountsOnFile.length, 2);

    const { resp: key } = await call(clients, 'GetPublicKey', { customerId: s.customerId }, clientMD(s));
    assert.match(key.keyId, /./);
    assert.ok(crypto.createPublicKey({ key: Buffer.from(key.publicKey, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType === 'rsa');
  });

  test('IIN details: the client SDK body as it sends it; allowed, and not allowed with isAllowedInContext: false present', async () => {
    const s = await create({ paymentProductFilters: { exclude: { products: [2] } } });
    for (const b of sdkBodies.filter((x) => x.method === 'GetIINDetails')) {
      const req = { ...JSON.parse(b.body), customerId: s.customerId };
      const { resp } = await call(clients, 'GetIINDetails', req, clientMD(s));
      assert.deepEqual(resp, { paymentProductId: 1, countryCode: '99', isAllowedInContext: true }, b.name);
    }
    const { resp: amex } = await call(clients, 'GetIINDetails', { customerId: s.customerId, bin: '371449', paymentContext: IIN_NL_EUR }, clientMD(s));
    assert.ok(Object.hasOwn(amex, 'isAllowedInContext'), 'isAllowedInContext is present when false');
    assert.deepEqual(amex, { paymentProductId: 2, countryCode: '99', isAllowedInContext: false });
  });

  test('errors name the gRPC request paths', async () => {
    const s = await create({});
    const cases = [
      ['GetPaymentProduct', { customerId: s.customerId, paymentProductId: 3012, paymentContext: NL_EUR }, grpc.status.NOT_FOUND, 'UNKNOWN_PRODUCT_ID', 'paymentProductId'],
      ['GetPaymentProducts', { customerId: s.customerId, paymentContext: { countryCode: 'NL' } }, grpc.status.INVALID_ARGUMENT, 'PARAMETER_NOT_FOUND_IN_REQUEST', 'paymentContext.currencyCode'],
      ['GetIINDetails', { customerId: s.customerId, bin: '41111111', paymentContext: { countryCode: 'NL', amountOfMoney: { amount: 1000, currencyCode: 'eur' } } },
        grpc.status.INVALID_ARGUMENT, 'INVALID_PAYMENT_CONTEXT', 'paymentContext.amountOfMoney.currencyCode'],
      ['GetIINDetails', { customerId: s.customerId, bin: '99999999', paymentContext: IIN_NL_EUR }, grpc.status.NOT_FOUND, 'IIN_NOT_FOUND', 'bin'],
    ];
    for (const [method, req, code, reason, field] of cases) {
      await assert.rejects(call(clients, method, req, clientMD(s)), (e) => {
        assert.equal(e.code, code, `${method} ${field}: ${e}`);
        const d = details(e);
        assert.equal(d.info.reason, reason, method);
        assert.deepEqual(d.violations, [field], method);
        return true;
      });
    }
    await assert.rejects(call(clients, 'GetPublicKey', { customerId: s.customerId }, new grpc.Metadata()), (e) => e.code === grpc.status.UNAUTHENTICATED);
  });

  test('a gzip-compressed call', async () => {
    const gz = new pkg.ClientService(gw.grpcAddr, grpc.credentials.createInsecure(),
      { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip });
    try {
      const s = await create({});
      const { resp, header } = await call(gz, 'GetIINDetails', { customerId: s.customerId, bin: '41111111', paymentContext: IIN_NL_EUR }, clientMD(s));
      assert.deepEqual(resp, { paymentProductId: 1, countryCode: '99', isAllowedInContext: true });
      assert.equal(header.get('content-type')[0], 'application/grpc');
      // grpc-js hides grpc-encoding; the gateway's access log says how the request came. The log
      // is buffered (flushed every 200 ms), so wait for the line, within a bound.
      const gzipLine = () => gw.stderr().split('\n')
        .filter((l) => l.includes('"msg":"grpc"') && l.includes('GetIINDetails'))
        .find((l) => JSON.parse(l).compression === 'gzip');
      const deadline = Date.now() + 5000;
      while (!gzipLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(gzipLine(), 'the access log shows the GetIINDetails request gzip-compressed within 5 s\n' + gw.stderr());
    } finally {
      gz.close();
    }
  });
});

describe('The SDK bodies of sdk-bodies.json are what the SDKs send', () => {
  // The Go tests of transport/connectgrpc parse these bodies into the request messages; this
  // test captures them from the pinned SDKs again, on a loopback server of its own.
  test('connect-sdk-client-js getIinDetails and connect-sdk-nodejs sessions.create', async () => {
    const captured = [];
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        captured.push(body);
        res.setHeader('Content-Type', 'application/json');
        res.end(req.url.endsWith('/sessions')
          ? JSON.stringify({ assetUrl: 'a', clientApiUrl: 'c', clientSessionId: 'x', customerId: 'y', invalidTokens: [], region: 'EU' })
          : JSON.stringify({ paymentProductId: 1, countryCode: '99', isAllowedInContext: true }));
      });
    });
    await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${srv.address().port}`;
      const session = () => new sdk.Session({ clientSessionId: 'c'.repeat(32), customerId: '1234-' + 'd'.repeat(32), clientApiUrl: origin + '/client', assetUrl: origin + '/' });
      await session().getIinDetails('4111 1111 1111 1111', { countryCode: 'NL', currency: 'EUR', totalAmount: 1000, isRecurring: false, isInstallments: false });
      await session().getIinDetails('411111', { countryCode: 'NL', currency: 'EUR', totalAmount: 0, isRecurring: true, accountOnFileId: 1 });
      const server = connectSdk.init({ host: '127.0.0.1', scheme: 'http', port: srv.address().port, apiKeyId: 'k', secretApiKey: 's', integrator: 'e2e' });
      await server.v1.sessions.create('1234', { paymentProductFilters: { restrictTo: { groups: ['cards'], products: [1, 3] }, exclude: { products: [3] } }, tokens: ['tok-visa'] });
    } finally {
      srv.close();
    }
    assert.deepEqual(captured, sdkBodies.map((b) => b.body));
  });
});
