// The checkout page: the official Connect client SDK (served by the shop
// from its npm install) talks to the gateway's Client API on another
// origin; the shop's backend only creates the session and receives the
// encrypted card data.
import { Session, ResponseError, IinDetailsStatus } from '/sdk/connect-sdk-client-js.js';

const $ = (id) => document.getElementById(id);

// Names of well-known card products, for a brand the session does not list
// (an excluded one has no label in the product list).
const BRANDS = { 1: 'VISA', 2: 'American Express', 3: 'MasterCard', 114: 'Visa Debit', 117: 'Maestro', 119: 'MasterCard Debit', 122: 'Visa Electron', 125: 'JCB', 128: 'Discover', 130: 'Carte Bancaire', 132: 'Diners Club' };

let session;
let context;
let clientSessionId;
let product;
const listed = new Map();
let iinSeq = 0;

function label(id) {
  return listed.get(id)?.displayHints.label ?? BRANDS[id] ?? `payment product ${id}`;
}

// describe tells an answer of the payment service (the SDK's ResponseError,
// CORS headers present) from a request the browser could not make or read.
function describe(e) {
  if (e instanceof ResponseError || (e && typeof e.status === 'number')) {
    const first = e.data?.errors?.[0];
    return `The payment service answered ${e.status}` + (first ? ` ${first.id}: ${first.message}` : '');
  }
  return `Network error: the payment service could not be reached or its answer was blocked (${e?.message ?? e})`;
}

function showError(e) {
  const el = $('error');
  el.textContent = describe(e);
  el.dataset.kind = e instanceof ResponseError || typeof e?.status === 'number' ? 'sdk' : 'network';
  el.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function money(amount, currency) {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount / 100);
}

async function start() {
  const res = await fetch('/api/session', { method: 'POST' });
  const s = await res.json();
  if (!res.ok) throw new Error(s.error);
  clientSessionId = s.session.clientSessionId;
  context = s.paymentContext;
  session = new Session(s.session);
  $('amount').textContent = money(context.totalAmount, context.currency);
  const items = await session.getBasicPaymentProducts(context);
  const list = $('products');
  for (const p of items.basicPaymentProducts) {
    listed.set(p.id, p);
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.productId = String(p.id);
    b.setAttribute('aria-pressed', 'false');
    const img = document.createElement('img');
    img.src = p.displayHints.logo;
    img.alt = '';
    const span = document.createElement('span');
    span.textContent = p.displayHints.label;
    b.append(img, span);
    b.addEventListener('click', () => choose(p.id));
    li.append(b);
    list.append(li);
  }
  list.setAttribute('aria-busy', 'false');
}

async function choose(id) {
  clearError();
  for (const b of $('products').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.productId === String(id)));
  let p;
  try {
    p = await session.getPaymentProduct(id, context);
  } catch (e) {
    showError(e);
    return;
  }
  if (p.paymentMethod !== 'card') {
    $('card').hidden = true;
    $('notice').textContent = `${p.displayHints.label} redirects to its own page; this demo pays by card.`;
    $('notice').hidden = false;
    return;
  }
  $('notice').hidden = true;
  product = p;
  renderForm(p);
}

function renderForm(p) {
  const box = $('fields');
  box.replaceChildren();
  const fields = [...p.paymentProductFields].sort((a, b) => a.displayHints.displayOrder - b.displayHints.displayOrder);
  for (const f of fields) {
    const div = document.createElement('div');
    div.className = 'field';
    const l = document.createElement('label');
    l.htmlFor = `field-${f.id}`;
    l.textContent = f.displayHints.label;
    const input = document.createElement('input');
    input.id = `field-${f.id}`;
    input.name = f.id;
    input.type = f.displayHints.obfuscate ? 'password' : 'text';
    if (f.type === 'tel' || f.displayHints.preferredInputType === 'IntegerKeyboard') input.inputMode = 'numeric';
    input.placeholder = f.displayHints.placeholderLabel ?? '';
    input.autocomplete = { cardNumber: 'cc-number', expiryDate: 'cc-exp', cvv: 'cc-csc', cardholderName: 'cc-name' }[f.id] ?? 'off';
    if (f.id === 'cardNumber') input.addEventListener('input', () => onCardNumber(input.value));
    div.append(l, input);
    box.append(div);
  }
  $('card-title').textContent = `Card details`;
  $('card').hidden = false;
}

function setBrand(state, text, logo) {
  const el = $('brand');
  el.dataset.state = state;
  el.replaceChildren();
  if (logo) {
    const img = document.createElement('img');
    img.src = logo;
    img.alt = '';
    el.append(img);
  }
  const span = document.createElement('span');
  span.textContent = text;
  el.append(span);
}

// onCardNumber asks the gateway which card this is, as soon as 6 digits are
// typed (the SDK sends the first 6, or 8 from 8 on).
async function onCardNumber(value) {
  const digits = value.replace(/\s+/g, '');
  const seq = ++iinSeq;
  if (digits.length < 6) {
    setBrand('', '');
    return;
  }
  try {
    const r = await session.getIinDetails(digits, context);
    if (seq !== iinSeq) return;
    const name = label(r.paymentProductId);
    if (r.status === IinDetailsStatus.SUPPORTED) {
      setBrand('allowed', name, listed.get(r.paymentProductId)?.displayHints.logo);
      if (r.paymentProductId !== product.id) product = await session.getPaymentProduct(r.paymentProductId, context);
    } else if (r.status === IinDetailsStatus.EXISTING_BUT_NOT_ALLOWED) {
      setBrand('not-allowed', `${name} is not allowed for this payment`);
    } else {
      setBrand('unknown', `${name} cannot be used here`);
    }
  } catch (e) {
    if (seq !== iinSeq) return;
    if (e instanceof ResponseError && e.status === 404) {
      setBrand('unknown', 'Unknown card number');
    } else if (e?.status === IinDetailsStatus.NOT_ENOUGH_DIGITS) {
      setBrand('', '');
    } else {
      setBrand('error', '');
      showError(e);
    }
  }
}

async function pay(ev) {
  ev.preventDefault();
  clearError();
  $('invalid').replaceChildren();
  if ($('brand').dataset.state === 'not-allowed' || $('brand').dataset.state === 'unknown') {
    const li = document.createElement('li');
    li.textContent = `Card number: ${$('brand').textContent}`;
    $('invalid').append(li);
    return;
  }
  const request = session.getPaymentRequest();
  request.setPaymentProduct(product);
  for (const f of product.paymentProductFields) {
    const v = $(`field-${f.id}`)?.value ?? '';
    if (v !== '') request.setValue(f.id, v);
  }
  const problems = request.validate();
  if (problems.length > 0) {
    for (const p of problems) {
      const li = document.createElement('li');
      li.textContent = `${product.getPaymentProductField(p.fieldId)?.displayHints.label ?? p.fieldId}: ${p.errorMessageId}`;
      $('invalid').append(li);
    }
    return;
  }
  let blob;
  try {
    blob = await session.getEncryptor().encrypt(request);
  } catch (e) {
    showError(e);
    return;
  }
  const res = await fetch('/api/pay', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientSessionId, encryptedCustomerInput: blob }),
  });
  const out = await res.json();
  if (!res.ok) {
    $('error').textContent = out.error;
    $('error').dataset.kind = 'shop';
    $('error').hidden = false;
    return;
  }
  const exp = out.expiryDate ? `, expires ${out.expiryDate.slice(0, 2)}/${out.expiryDate.slice(2)}` : '';
  const c = $('confirmation');
  c.textContent = `Payment received: ${money(out.amount, out.currency)} with ${label(out.paymentProductId)} ${out.cardNumber}${exp}${out.cardholderName ? `, ${out.cardholderName}` : ''}.`;
  c.hidden = false;
  $('card').hidden = true;
}

$('card-form').addEventListener('submit', pay);
start().then(
  () => { document.body.dataset.ready = 'true'; },
  (e) => { showError(e); document.body.dataset.ready = 'error'; },
);
