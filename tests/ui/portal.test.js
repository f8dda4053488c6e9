// The end-user portal in a real browser on a demo server: log in with the
// demo phone 4444 and code 4444, edit the profile, withdraw a consent, read
// the activity, and ask to be forgotten; a wrong code is refused.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rootCall, openBrowser, shot } from './harness.js';

describe('privacy portal', () => {
  let srv; let b; let token;

  before(async () => {
    srv = await startServer({ demo: true });
    token = (await rootCall(srv, 'POST', '/v1/user', { fname: 'John', lname: 'Doe', login: 'john', phone: '4444', email: 'user@gmail.com' })).token;
    await rootCall(srv, 'POST', '/v1/lbasis/marketing', { shortdesc: 'Marketing emails', fulldesc: 'News and offers about our products.', basistype: 'consent', usercontrol: true });
    await rootCall(srv, 'POST', `/v1/agreement/marketing/token/${token}`, {});
    await rootCall(srv, 'POST', `/v1/userapp/token/${token}/shop`, { cart: '2 items' });
    b = await openBrowser();
  });

  after(async () => {
    if (b) await b.close();
    if (srv) await srv.stop();
  });

  test('a wrong code is refused and nothing opens', async () => {
    const { page } = b;
    await page.goto(`${srv.url}/#/portal`);
    await page.getByText('Demo server: sign in with phone 4444').waitFor();
    await page.getByRole('radio', { name: 'Phone' }).check();
    await page.getByLabel('Phone number').fill('4444');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('One-time code').fill('1234');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That code is wrong or has expired.').waitFor();
    await shot(page, 'portal-wrong-code');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('databunker.portal')), null);
  });

  test('log in with the demo phone and code 4444', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Use another address or send a new code' }).click();
    await page.getByRole('radio', { name: 'Phone' }).check();
    await page.getByLabel('Phone number').fill('4444');
    await shot(page, 'portal-login');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('One-time code').fill('4444');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'What we keep about you' }).waitFor();
    await page.getByText('Doe', { exact: true }).waitFor();
    await shot(page, 'portal-profile');
    // a phone-sized screen: everything still reachable, nothing cut off
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'portal-profile-mobile');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  test('edit my profile', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Edit my profile' }).click();
    await page.getByLabel('lname', { exact: true }).fill('Smith');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your profile is saved.').waitFor();
    await page.getByText('Smith', { exact: true }).waitFor();
    const u = await rootCall(srv, 'GET', `/v1/user/token/${token}`);
    assert.equal(u.data.lname, 'Smith');
  });

  test('see app data and activity', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'App data' }).click();
    await page.getByText('2 items', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('cell', { name: 'UserLogin' }).first().waitFor();
    await shot(page, 'portal-activity');
  });

  test('withdraw a consent', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Consents' }).click();
    await page.getByRole('heading', { name: 'Marketing emails' }).waitFor();
    await page.getByRole('button', { name: 'Withdraw consent: Marketing emails' }).click();
    await page.getByRole('button', { name: 'Withdraw consent', exact: true }).click();
    await page.getByText('Consent withdrawn.').waitFor();
    await page.getByText('withdrawn', { exact: true }).waitFor();
    await shot(page, 'portal-consents');
    const ag = await rootCall(srv, 'GET', `/v1/agreements/token/${token}`);
    assert.notEqual(ag.rows[0].status, 'accept');
  });

  test('ask to be forgotten', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Delete my data' }).click();
    const btn = page.getByRole('button', { name: /Ask to delete my data|Delete my data now/ });
    await btn.click();
    await page.getByLabel('Type DELETE to confirm').fill('DELETE');
    await shot(page, 'portal-forget-confirm');
    await page.getByRole('button', { name: /Send request|Delete everything/ }).click();
    await page.getByText(/Your data is deleted|Your request was sent/).first().waitFor();
    await shot(page, 'portal-forgotten');
    const r = await fetch(`${srv.url}/v1/user/token/${token}`, { headers: { 'X-Bunker-Token': 'DEMO' } });
    if (await page.getByText('Your data is deleted').count()) assert.equal(r.status, 404);
  });

  test('nothing was loaded from outside and the page logged no errors', () => {
    assert.deepEqual(b.problems, []);
  });
});
