// The admin / DPO console in a real browser: sign in with the root token,
// find, edit and delete a user, read the audit trail, download the report,
// manage legal bases and processing activities, and see the screens whose
// calls this server lacks say so.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, rootCall, openBrowser, shot } from './harness.js';

describe('admin console', () => {
  let srv; let b; let token;
  const email = `ada.${Date.now()}@example.com`;

  before(async () => {
    srv = await startServer({ demo: true });
    token = (await rootCall(srv, 'POST', '/v1/user', { fname: 'Ada', lname: 'Lovelace', email, phone: '15550001111', login: 'ada', city: 'London' })).token;
    await rootCall(srv, 'POST', `/v1/userapp/token/${token}/shop`, { cart: '3 books' });
    await rootCall(srv, 'POST', '/v1/lbasis/newsletter', { shortdesc: 'Newsletter', basistype: 'consent', usercontrol: true });
    await rootCall(srv, 'POST', `/v1/agreement/newsletter/token/${token}`, {});
    b = await openBrowser();
  });

  after(async () => {
    if (b) await b.close();
    if (srv) await srv.stop();
  });

  test('sign in, find a user by email and see the profile', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/`);
    await shot(page, 'home');
    await page.getByRole('link', { name: 'Open the admin console' }).click();
    await page.getByLabel('Access token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This token is not accepted.').waitFor();
    await page.getByLabel('Access token').fill('DEMO');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Find a user' }).waitFor();
    await page.getByLabel('Email, phone, login or token').fill(email);
    await page.getByRole('button', { name: 'Find user' }).click();
    await page.getByRole('heading', { name: 'User record' }).waitFor();
    await page.getByText('Lovelace', { exact: true }).waitFor();
    await page.getByText(token, { exact: true }).waitFor();
    await shot(page, 'admin-user');
  });

  test('a user that does not exist is reported plainly', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/admin/users`);
    await page.getByLabel('Email, phone, login or token').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Find user' }).click();
    await page.getByText('No user found with email “nobody@example.com”.').waitFor();
  });

  test('edit the profile', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/admin/user/token/${token}/profile`);
    await page.getByRole('button', { name: 'Edit profile' }).click();
    await page.getByLabel('city', { exact: true }).fill('Paris');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('New field name').fill('nickname');
    await page.getByLabel('Value', { exact: true }).fill('Countess');
    await shot(page, 'admin-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Profile saved.').waitFor();
    await page.getByText('Countess', { exact: true }).waitFor();
    const u = await rootCall(srv, 'GET', `/v1/user/token/${token}`);
    assert.equal(u.data.city, 'Paris');
    assert.equal(u.data.nickname, 'Countess');
    assert.equal(u.data.email, email);
  });

  test('read the audit trail with a filter', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/admin/user/token/${token}/audit`);
    await page.getByRole('cell', { name: 'UserUpdate' }).first().waitFor();
    await page.getByLabel('Action').selectOption('UserUpdate');
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), 1);
    await page.getByRole('button', { name: 'Details' }).click();
    await page.getByRole('cell', { name: 'London', exact: true }).waitFor();
    await page.getByText('Event details (raw)').waitFor();
    await shot(page, 'admin-audit');
  });

  test('download the report and open the readable view', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/admin/user/token/${token}/report`);
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report (JSON)' }).click(),
    ]);
    const report = JSON.parse(readFileSync(await dl.path(), 'utf8'));
    assert.equal(report.token, token);
    assert.equal(report.profile.city, 'Paris');
    assert.deepEqual(report.appdata, { shop: { cart: '3 books' } });
    assert.equal(report.agreements[0].brief, 'newsletter');
    assert.ok(report.audit.length > 3);
    await page.getByRole('button', { name: 'Show readable report' }).click();
    await page.getByRole('heading', { name: 'Personal data report' }).nth(1).waitFor();
    await page.getByText('3 books', { exact: true }).waitFor();
    await shot(page, 'admin-report');
  });

  test('manage legal bases and processing activities', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Legal bases' }).click();
    await page.getByRole('heading', { name: 'Legal bases and processing activities' }).waitFor();
    await page.getByLabel('Short name (brief)').fill('analytics');
    await page.getByLabel('Title').first().fill('Product analytics');
    await page.getByLabel('Type').selectOption('legitimate-interest');
    await page.getByRole('button', { name: 'Create legal basis' }).click();
    await page.getByRole('cell', { name: 'Product analytics' }).waitFor();
    await page.getByRole('button', { name: 'Edit analytics' }).click();
    await page.getByLabel('Title').first().fill('Usage analytics');
    await page.getByRole('button', { name: 'Save legal basis' }).click();
    await page.getByRole('cell', { name: 'Usage analytics' }).waitFor();
    await page.getByLabel('Short name', { exact: true }).fill('reporting');
    await page.locator('form', { hasText: 'New processing activity' }).getByLabel('Title').fill('Monthly reporting');
    await page.getByRole('button', { name: 'Create activity' }).click();
    await page.getByRole('cell', { name: 'Monthly reporting' }).waitFor();
    await page.getByLabel('Activity', { exact: true }).selectOption('reporting');
    await page.getByLabel('Legal basis', { exact: true }).selectOption('analytics');
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await page.getByRole('button', { name: 'Unlink analytics from reporting' }).waitFor();
    await shot(page, 'admin-legal-bases');
    const acts = await rootCall(srv, 'GET', '/v1/pactivity');
    assert.deepEqual(acts.rows.find((a) => a.activity === 'reporting').legalbasis, ['analytics']);
    await page.getByRole('button', { name: 'Delete analytics' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Legal basis deleted.').waitFor();
    const lb = await rootCall(srv, 'GET', '/v1/lbasis');
    assert.ok(!lb.rows.some((r) => r.brief === 'analytics'));
  });

  test('screens whose calls are missing say so', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/admin/requests`);
    await page.getByText(/not available on this server yet|No open requests/).waitFor();
    await page.goto(`${srv.url}/#/admin/stats`);
    await page.getByText(/System statistics: not available on this server yet|Users/).first().waitFor();
    await shot(page, 'admin-stats');
  });

  test('delete the user after a typed confirmation', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/admin/user/token/${token}/profile`);
    await page.getByRole('button', { name: 'Delete user…' }).click();
    const ok = page.getByRole('button', { name: 'Delete user', exact: true });
    assert.equal(await ok.isDisabled(), true);
    await page.getByLabel('Type DELETE to confirm').fill('DELETE');
    await shot(page, 'admin-delete-confirm');
    await ok.click();
    await page.getByRole('heading', { name: 'Find a user' }).waitFor();
    const r = await fetch(`${srv.url}/v1/user/token/${token}`, { headers: { 'X-Bunker-Token': 'DEMO' } });
    assert.equal(r.status, 404);
  });

  test('nothing was loaded from outside and the page logged no errors', () => {
    assert.deepEqual(b.problems, []);
  });
});
