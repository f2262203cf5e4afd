'use strict';
// End-to-end test of the reference gateway with the official Connect SDKs:
// connect-sdk-nodejs 5.2.0 (Server API) and connect-sdk-client-js 6.0.6
// (Client API and client-side encryption), as pinned in package-lock.json.
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startGateway, loadClientSDK, serverClient, signedFetch } = require('./harness.cjs');

const sdk = loadClientSDK();

// The filter, token and payment-context cases are one table, cases.json, that the gRPC transport's
// tests (transport/connectgrpc) run too.
const cases = JSON.parse(fs.readFileSync(path.join(__dirname, 'cases.json'), 'utf8'));
// paymentDetails turns a payment context of cases.json into the client SDK's paymentDetails.
const paymentDetails = (c) => ({ countryCode: c.countryCode, currency: c.currencyCode, totalAmount: c.amount, isRecurring: c.isRecurring });
const NL_EUR = paymentDetails(cases.contexts.NL_EUR);

let gw;
let client;

// The gateway's encryption key comes from a key file (-keys), as several
// instances would share it: an RSA-2048 private key that Node's own crypto
// exports as a JWK, named by its kid.
const KEY_ID = 'e2e-key';
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpgateway-e2e-keys-'));
const keyPair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = path.join(keyDir, 'keys.jwk');
fs.writeFileSync(keyFile, JSON.stringify({ keys: [{ ...keyPair.privateKey.export({ format: 'jwk' }), kid: KEY_ID }] }),
  { mode: 0o600 });

before(async () => {
  gw = await startGateway(path.join(__dirname, 'fixture.json'), ['-keys', keyFile]);
  client = serverClient(gw);
});

after(async () => {
  fs.rmSync(keyDir, { recursive: true, force: true });
  if (gw) {
    const code = await gw.stop();
    assert.equal(code, 0, 'gateway exit code after SIGTERM (graceful shutdown)\n' + gw.stderr());
  }
});

async function createSession(body, c = client, merchantId = '1234') {
  const resp = await c.v1.sessions.create(merchantId, body);
  assert.equal(resp.status, 200, `create ${JSON.stringify(body)}: ${JSON.stringify(resp.body)}`);
  assert.equal(resp.isSuccess, true);
  return resp.body;
}

function ids(items) {
  return items.map((p) => p.id);
}

describe('Idempotent create through connect-sdk-nodejs (paymentContext.idempotence)', () => {
  test('a repeat gets the first session, and requestTimestamp is set on the repeat only', async () => {
    const key = 'e2e-' + crypto.randomBytes(8).toString('hex');
    const ctx1 = { idempotence: { key } };
    const first = await client.v1.sessions.create('1234', { tokens: ['tok-visa'] }, ctx1);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(ctx1.idempotence.requestTimestamp, undefined, 'the first answer carries no request timestamp');
    const ctx2 = { idempotence: { key } };
    const before = Date.now();
    // The platform replays the first answer even when the body differs.
    const again = await client.v1.sessions.create('1234', {}, ctx2);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body, 'the same session is answered again');
    const ts = Number(ctx2.idempotence.requestTimestamp);
    assert.ok(Number.isInteger(ts) && ts <= before && ts > before - 60000,
      `requestTimestamp ${ctx2.idempotence.requestTimestamp} is the first attempt's time in ms`);
    // Another key: another session.
    const other = await client.v1.sessions.create('1234', {}, { idempotence: { key: key + 'x' } });
    assert.notEqual(other.body.clientSessionId, first.body.clientSessionId);
  });

  test('a malformed key (41 characters) is a 400 naming the header', async () => {
    const resp = await client.v1.sessions.create('1234', {}, { idempotence: { key: 'k'.repeat(41) } });
    assert.equal(resp.status, 400);
    assert.equal(resp.body.errors[0].propertyName, 'X-GCS-Idempotence-Key');
  });
});

describe('Server API through connect-sdk-nodejs', () => {
  test('empty body: a session with the gateway URLs', async () => {
    const s = await createSession({});
    assert.match(s.clientSessionId, /^[0-9a-f]{32}$/);
    assert.match(s.customerId, /^1234-[0-9a-f]{32}$/);
    assert.equal(s.clientApiUrl, gw.origin + '/client');
    assert.equal(s.assetUrl, gw.origin + '/');
    assert.equal(s.region, 'EU');
    assert.deepEqual(s.invalidTokens, []);
  });

  test('datacenter origin: clientApiUrl and assetUrl of the merchant datacenter', async () => {
    const s = await createSession({}, serverClient(gw, 'otherKeyId', 'otherSecretApiKey'), '5678');
    assert.equal(s.clientApiUrl, 'https://us.gateway.example/client');
    assert.equal(s.assetUrl, 'https://us.gateway.example/');
    assert.equal(s.region, 'US');
  });

  test('tokens: invalid ones reported once each, in request order', async () => {
    const s = await createSession({ tokens: cases.tokens.request });
    assert.deepEqual(s.invalidTokens, cases.tokens.invalidTokens);
  });

  test('malformed bodies: 400 with propertyName in the SDK response body', async () => {
    for (const { body, propertyName: property } of cases.malformed) {
      const resp = await client.v1.sessions.create('1234', body);
      assert.equal(resp.status, 400, JSON.stringify(body));
      assert.equal(resp.isSuccess, false);
      assert.equal(resp.body.errors[0].propertyName, property, JSON.stringify(resp.body));
      assert.equal(resp.body.errors[0].httpStatusCode, 400);
      assert.match(resp.body.errorId, /^[0-9a-f-]{36}$/);
    }
  });

  test('wrong secret: 401 code 9002; key of another merchant: 403 code 9007', async () => {
    const bad = await serverClient(gw, 'testKeyId', 'wrongSecret').v1.sessions.create('1234', {});
    assert.equal(bad.status, 401);
    assert.equal(bad.body.errors[0].code, '9002');
    const other = await serverClient(gw, 'otherKeyId', 'otherSecretApiKey').v1.sessions.create('1234', {});
    assert.equal(other.status, 403);
    assert.equal(other.body.errors[0].code, '9007');
  });

  test('a body sent as text/plain (signed as such): 415 naming Content-Type; the SDK sends application/json', async () => {
    const plain = await signedFetch(gw, 'POST', '/v1/1234/sessions', {}, { contentType: 'text/plain' });
    assert.equal(plain.status, 415);
    assert.equal(plain.contentType, 'application/json');
    assert.equal(plain.body.errors[0].code, '700804');
    assert.equal(plain.body.errors[0].id, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(plain.body.errors[0].propertyName, 'Content-Type');
    const charset = await signedFetch(gw, 'POST', '/v1/1234/sessions', {}, { contentType: 'application/json; charset=utf-8' });
    assert.equal(charset.status, 200);
  });
});

describe('Client API through connect-sdk-client-js', () => {
  test('products, accounts on file and a product with card fields', async () => {
    const s = await createSession({ tokens: ['tok-visa', 'tok-mastercard', 'tok-no-expiry', 'tok-expired'] });
    const session = new sdk.Session(s);
    const products = await session.getBasicPaymentProducts(NL_EUR);
    assert.deepEqual(ids(products.basicPaymentProducts), [1, 2, 3, 840, 809]);
    assert.deepEqual(products.accountsOnFile.map((a) => a.paymentProductId).sort(), [1, 2, 3]);

    const visa = products.getBasicPaymentProduct(1);
    assert.equal(visa.displayHints.label, 'VISA');
    assert.equal(visa.displayHints.logo, gw.origin + '/pp_logo_1.png', 'logo prefixed with assetUrl');
    assert.equal(visa.paymentProductGroup, 'cards');
    assert.equal(visa.accountsOnFile.length, 1);
    const aof = visa.accountsOnFile[0];
    assert.equal(typeof aof.id, 'number');
    assert.equal(aof.getAttribute('alias').value, '************0026');
    assert.equal(aof.getAttribute('expiryDate').value, '1230');
    assert.equal(products.getAccountOnFile(aof.id).paymentProductId, 1);
    assert.equal(products.getBasicPaymentProduct(2).accountsOnFile[0].getAttribute('expiryDate'), undefined,
      'a token without a card expiry has no expiryDate attribute');

    const product = await session.getPaymentProduct(1, NL_EUR);
    assert.deepEqual(product.paymentProductFields.map((f) => f.id), ['cardNumber', 'expiryDate', 'cvv', 'cardholderName']);
    const cardNumber = product.getPaymentProductField('cardNumber');
    assert.equal(cardNumber.type, 'tel', 'the SDK turns our numericstring into an input of type tel');
    assert.ok(cardNumber.isValid('4012000033330026'), 'a Luhn-valid number passes the field validators');
    assert.ok(!cardNumber.isValid('4012000033330027'), 'a Luhn-invalid number fails');
    assert.equal(product.getPaymentProductField('expiryDate').displayHints.mask, '{{99}}/{{99}}');
  });

  test('payment context: iDEAL only for NL/EUR, PayPal only from 1.00', async () => {
    const session = new sdk.Session(await createSession({}));
    for (const { context, products: want } of cases.paymentContexts) {
      const products = await session.getBasicPaymentProducts(paymentDetails(cases.contexts[context]));
      assert.deepEqual(ids(products.basicPaymentProducts), want, context);
    }
  });

  test('restrictTo and exclude: exclude wins, groups expand', async () => {
    for (const { filters, context, products: want } of cases.filters) {
      const s = await createSession({ paymentProductFilters: filters });
      const session = new sdk.Session(s);
      const pd = paymentDetails(cases.contexts[context]);
      if (want.length === 0) {
        await assert.rejects(session.getBasicPaymentProducts(pd), /No payment products available/);
        continue;
      }
      const products = await session.getBasicPaymentProducts(pd);
      assert.deepEqual(ids(products.basicPaymentProducts), want, JSON.stringify(filters));
    }
  });

  test('a hidden product is 404 code 1007 propertyName productId', async () => {
    const session = new sdk.Session(await createSession({ paymentProductFilters: { exclude: { products: [2] } } }));
    await assert.rejects(session.getPaymentProduct(2, NL_EUR), (err) => {
      assert.equal(err.status, 404);
      assert.equal(err.data.errors[0].code, '1007');
      assert.equal(err.data.errors[0].propertyName, 'productId');
      return true;
    });
  });

  test('excluded product hides its tokens; the token stays valid', async () => {
    const s = await createSession({ tokens: ['tok-visa', 'tok-mastercard'], paymentProductFilters: { exclude: { products: [1] } } });
    assert.deepEqual(s.invalidTokens, []);
    const products = await new sdk.Session(s).getBasicPaymentProducts(NL_EUR);
    assert.deepEqual(products.accountsOnFile.map((a) => a.paymentProductId), [3]);
  });

  test('product groups: cards with its members accounts on file, and its fields', async () => {
    const s = await createSession({ tokens: ['tok-visa', 'tok-mastercard'] });
    const session = new sdk.Session(s);
    const groups = await session.getBasicPaymentProductGroups(NL_EUR);
    assert.deepEqual(ids(groups.basicPaymentProductGroups), ['cards']);
    assert.deepEqual(groups.accountsOnFile.map((a) => a.paymentProductId).sort(), [1, 3]);
    const cards = await session.getPaymentProductGroup('cards', NL_EUR);
    assert.deepEqual(cards.paymentProductFields.map((f) => f.id), ['cardNumber', 'expiryDate', 'cvv', 'cardholderName']);

    const items = await session.getBasicPaymentItems(NL_EUR, true);
    assert.deepEqual(items.basicPaymentItems.map((i) => i.id), ['cards', 840, 809]);
  });

  test('sessions do not cross: each customer sees only its own accounts on file', async () => {
    const a = await createSession({ tokens: ['tok-visa'] });
    const b = await createSession({ tokens: ['tok-mastercard'] });
    const pa = await new sdk.Session(a).getBasicPaymentProducts(NL_EUR);
    const pb = await new sdk.Session(b).getBasicPaymentProducts(NL_EUR);
    assert.deepEqual(pa.accountsOnFile.map((x) => x.paymentProductId), [1]);
    assert.deepEqual(pb.accountsOnFile.map((x) => x.paymentProductId), [3]);
    // a's session id with b's customer id is refused
    const mixed = new sdk.Session({ ...b, clientSessionId: a.clientSessionId });
    await assert.rejects(mixed.getBasicPaymentProducts(NL_EUR), (err) => err.status === 401);
  });

  test('revoke (DELETE, signed) ends the session: the client API answers 401', async () => {
    const s = await createSession({});
    const session = new sdk.Session(s);
    await session.getBasicPaymentProducts(NL_EUR);
    const del = await signedFetch(gw, 'DELETE', `/v1/1234/sessions/${s.clientSessionId}`);
    assert.equal(del.status, 204);
    await assert.rejects(new sdk.Session(s).getBasicPaymentProducts(NL_EUR), (err) => {
      assert.equal(err.status, 401);
      assert.equal(err.data.errors[0].code, '9002');
      return true;
    });
    const again = await signedFetch(gw, 'DELETE', `/v1/1234/sessions/${s.clientSessionId}`);
    assert.equal(again.status, 404);
  });
});

describe('client-side encryption with connect-sdk-client-js own encryptor', () => {
  // encryptCard builds a PaymentRequest for VISA on a fresh client Session
  // of s and encrypts it with the SDK's encryptor.
  async function encryptCard(s, values, accountOnFile) {
    const session = new sdk.Session(s);
    const product = await session.getPaymentProduct(1, NL_EUR);
    const request = session.getPaymentRequest();
    request.setPaymentProduct(product);
    if (accountOnFile) request.setAccountOnFile(product.getAccountOnFile(accountOnFile));
    for (const [k, v] of Object.entries(values)) request.setValue(k, v);
    return session.getEncryptor().encrypt(request);
  }

  function decrypt(s, blob, merchantId = '1234') {
    return signedFetch(gw, 'POST', `/v1/${merchantId}/sessions/${s.clientSessionId}/decrypt`,
      { encryptedCustomerInput: blob });
  }

  const card = {
    cardNumber: '4012 0000 3333 0026', expiryDate: '12/30', cvv: '123', cardholderName: 'José Müller',
  };

  test('public key: the key file\'s key as SPKI DER in base64, with its key id', async () => {
    const key = await new sdk.Session(await createSession({})).getPublicKey();
    assert.equal(key.keyId, KEY_ID);
    const der = Buffer.from(key.publicKey, 'base64');
    const pub = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
    assert.equal(pub.asymmetricKeyType, 'rsa');
    assert.ok(pub.asymmetricKeyDetails.modulusLength >= 2048);
    assert.ok(der.equals(keyPair.publicKey.export({ format: 'der', type: 'spki' })), 'the served key is the key file\'s');
    assert.doesNotMatch(gw.stderr(), /ephemeral/, 'a gateway with -keys makes no ephemeral key');
  });

  test('round trip: Latin-1 name intact, card number masked, no cvv', async () => {
    const s = await createSession({});
    const blob = await encryptCard(s, card);
    assert.match(blob, /^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/, 'JWE compact serialization');
    const r = await decrypt(s, blob);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.contentType, 'application/json');
    assert.equal(r.body.clientSessionId, s.clientSessionId);
    assert.match(r.body.nonce, /^[0-9a-f]{32}$/);
    assert.equal(r.body.paymentProductId, 1);
    assert.equal(r.body.tokenize, false);
    const values = Object.fromEntries(r.body.paymentValues.map((v) => [v.key, v.value]));
    assert.deepEqual(values, { cardNumber: '401200******0026', expiryDate: '1230', cardholderName: 'José Müller' });
    assert.ok(!JSON.stringify(r.body).includes('4012000033330026'), 'the full card number is never returned');
  });

  test('replay of the same blob: 409', async () => {
    const s = await createSession({});
    const blob = await encryptCard(s, card);
    assert.equal((await decrypt(s, blob)).status, 200);
    const again = await decrypt(s, blob);
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.errors[0].httpStatusCode, 409);
  });

  test('blob of another session: 400', async () => {
    const a = await createSession({});
    const b = await createSession({});
    const r = await decrypt(b, await encryptCard(a, card));
    assert.equal(r.status, 400, JSON.stringify(r.body));
  });

  test('tampered blob: 400', async () => {
    const s = await createSession({});
    const parts = (await encryptCard(s, card)).split('.');
    const flip = (p) => (p[5] === 'A' ? 'B' : 'A') + '';
    for (const i of [1, 2, 3, 4]) {
      const t = parts.slice();
      t[i] = t[i].slice(0, 5) + flip(t[i]) + t[i].slice(6);
      const r = await decrypt(s, t.join('.'));
      assert.equal(r.status, 400, `part ${i}: ${JSON.stringify(r.body)}`);
    }
    const r = await decrypt(s, 'not a JWE');
    assert.equal(r.status, 400);
  });

  test('text outside Latin-1 that the SDK turns into unreadable bytes: a 4xx, never a 5xx', async () => {
    // connect-sdk-client-js 6.0.6 does not encode UTF-8: a character above U+00FF leaves its low
    // byte and XORs its high byte into the byte before (wire-contract §3.4). "王" (U+738B) leaves
    // 0x8B, a C1 control that Latin-1 text never holds; "王五" inside quotes breaks the JSON.
    const s = await createSession({});
    for (const name of ['José 王', '"王五"']) {
      const r = await decrypt(s, await encryptCard(s, { ...card, cardholderName: name }));
      assert.ok(r.status >= 400 && r.status < 500, `${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  });

  test('text outside Latin-1 that the SDK turns into other Latin-1 text: never a 5xx (a known SDK limit)', async () => {
    // "€" (U+20AC) leaves 0xAC ("¬") and turns the "A" before it into "a": the bytes are valid
    // Latin-1, so no server can tell them from a name typed as "a¬B". Pinned so that a change shows.
    const s = await createSession({});
    const r = await decrypt(s, await encryptCard(s, { ...card, cardholderName: 'A€B' }));
    assert.ok(r.status < 500, `${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.status, 200);
    const values = Object.fromEntries(r.body.paymentValues.map((v) => [v.key, v.value]));
    assert.equal(values.cardholderName, 'a¬B');
  });

  test('account on file: the blob names one of the session tokens', async () => {
    const s = await createSession({ tokens: ['tok-visa'] });
    const products = await new sdk.Session(s).getBasicPaymentProducts(NL_EUR);
    const aof = products.getBasicPaymentProduct(1).accountsOnFile[0];
    const r = await decrypt(s, await encryptCard(s, { cvv: '123' }, aof.id));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.accountOnFileId, aof.id);
    assert.deepEqual(r.body.paymentValues, []);
  });

  test('decrypt for another merchant: 403; unsigned: 401', async () => {
    const s = await createSession({});
    const blob = await encryptCard(s, card);
    const other = await signedFetch(gw, 'POST', `/v1/1234/sessions/${s.clientSessionId}/decrypt`,
      { encryptedCustomerInput: blob }, { apiKeyId: 'otherKeyId', secretApiKey: 'otherSecretApiKey' });
    assert.equal(other.status, 403);
    const bad = await signedFetch(gw, 'POST', `/v1/1234/sessions/${s.clientSessionId}/decrypt`,
      { encryptedCustomerInput: blob }, { badSignature: true });
    assert.equal(bad.status, 401);
    assert.equal((await decrypt(s, blob)).status, 200, 'rejected attempts do not use up the nonce');
  });
});

describe('IIN details through connect-sdk-client-js', () => {
  // A fresh session per lookup: the SDK caches answers by digits.
  test('allowed card: SUPPORTED with the product', async () => {
    const session = new sdk.Session(await createSession({}));
    const r = await session.getIinDetails('4012 0000 3333 0026', NL_EUR);
    assert.equal(r.status, sdk.IinDetailsStatus.SUPPORTED);
    assert.equal(r.paymentProductId, 1);
    assert.equal(r.isAllowedInContext, true);
    assert.equal(r.countryCode, '99', 'the issuer country is not known to the gateway');
    assert.deepEqual(r.json, { paymentProductId: 1, countryCode: '99', isAllowedInContext: true });
  });

  test('excluded card: EXISTING_BUT_NOT_ALLOWED', async () => {
    const session = new sdk.Session(await createSession({ paymentProductFilters: { exclude: { products: [2] } } }));
    const r = await session.getIinDetails('3782 822463 10005', NL_EUR);
    assert.equal(r.status, sdk.IinDetailsStatus.EXISTING_BUT_NOT_ALLOWED);
    assert.equal(r.paymentProductId, 2);
    assert.equal(r.isAllowedInContext, false);
    // The same session still takes VISA.
    const visa = await session.getIinDetails('41111111', NL_EUR);
    assert.equal(visa.status, sdk.IinDetailsStatus.SUPPORTED);
  });

  test('excluded by context: a product outside the payment context is not allowed', async () => {
    const session = new sdk.Session(await createSession({ paymentProductFilters: { restrictTo: { products: [1, 840] } } }));
    const r = await session.getIinDetails('5555 5555 5555 4444', NL_EUR);
    assert.equal(r.status, sdk.IinDetailsStatus.EXISTING_BUT_NOT_ALLOWED);
    assert.equal(r.paymentProductId, 3);
  });

  test('unknown card: the SDK rejects with UNKNOWN, status 404, IIN_NOT_FOUND', async () => {
    const session = new sdk.Session(await createSession({}));
    await assert.rejects(session.getIinDetails('9999 9912 3456', NL_EUR), (e) => {
      assert.ok(e instanceof sdk.ResponseError, String(e));
      assert.equal(e.message, sdk.IinDetailsStatus.UNKNOWN);
      assert.equal(e.status, 404);
      assert.equal(e.data.errors[0].id, 'IIN_NOT_FOUND');
      assert.equal(e.data.errors[0].code, '701000');
      assert.equal(e.data.errors[0].propertyName, 'bin');
      return true;
    });
  });

  test('fewer than 6 digits: NOT_ENOUGH_DIGITS without a call; a revoked session: 401', async () => {
    const s = await createSession({});
    const session = new sdk.Session(s);
    await assert.rejects(session.getIinDetails('4111', NL_EUR), (e) => e.status === sdk.IinDetailsStatus.NOT_ENOUGH_DIGITS);
    const del = await signedFetch(gw, 'DELETE', `/v1/1234/sessions/${s.clientSessionId}`);
    assert.equal(del.status, 204);
    await assert.rejects(session.getIinDetails('41111111', NL_EUR), (e) => e.status === 401 && e.data.errors[0].code === '9002');
  });
});

describe('Client API calls the gateway does not serve', () => {
  test('each rejects with the SDK ResponseError carrying the JSON 404', async () => {
    const session = new sdk.Session(await createSession({}));
    const calls = {
      directory: () => session.getPaymentProductDirectory(809, 'EUR', 'NL'),
      networks: () => session.getPaymentProductNetworks(320, NL_EUR),
      sessions: () => session.createPaymentProductSession(302, { displayName: 'shop', domainName: 'shop.example', validationUrl: 'https://apple-pay-gateway.apple.com/x' }),
      convert: () => session.convertAmount(1000, 'EUR', 'USD'),
      thirdPartyStatus: () => session.getThirdPartyPaymentStatus('000000850010000188180000200001'),
      privacyPolicy: () => session.getPrivacyPolicy({ paymentProductId: 840, locale: 'en_GB' }),
    };
    for (const [name, call] of Object.entries(calls)) {
      await assert.rejects(call(), (e) => {
        assert.ok(e instanceof sdk.ResponseError, `${name}: ${e}`);
        assert.equal(e.status, 404, name);
        assert.equal(e.data.errors[0].id, 'UNKNOWN_RESOURCE', name);
        assert.match(e.data.errors[0].message, /does not serve/, name);
        return true;
      });
    }
  });

  test('logos: every product logo URL the SDK builds is served as a PNG', async () => {
    const session = new sdk.Session(await createSession({}));
    const products = await session.getBasicPaymentProducts(NL_EUR);
    const groups = await session.getBasicPaymentProductGroups(NL_EUR);
    const urls = [...products.basicPaymentProducts, ...groups.basicPaymentProductGroups].map((p) => p.displayHints.logo);
    assert.ok(urls.length >= 6, urls.join(' '));
    for (const url of urls) {
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get('content-type'), 'image/png', url);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(body.subarray(1, 4).toString(), 'PNG', url);
    }
  });
});
