// agtest's URL shortener for out_of_band.1_1.passive.short-url (RFC 0434, URL Shortening): JSON with
// status 200 for a GET asking for application/json, a redirect to the long oob URL otherwise.
import t from 'tap';
import { serveShortUrl } from '../../suites/didcomm-v1/short-url.js';

const invitation = { '@type': 'https://didcomm.org/out-of-band/1.1/invitation', '@id': 'short-123', label: 'agtest' };
const longUrl = 'https://agtest.invalid/?oob=eyJAaWQiOiJzaG9ydC0xMjMifQ';

t.test('a GET asking for JSON gets the invitation; any other GET a redirect to the oob URL', async (t) => {
  const server = await serveShortUrl(invitation, longUrl);
  t.teardown(() => server.close());
  t.notMatch(server.url, /oob=/, 'the short URL holds no oob parameter');
  const json = await fetch(server.url, { headers: { accept: 'application/json' } });
  t.equal(json.status, 200);
  t.match(json.headers.get('content-type'), /^application\/json/);
  t.same(await json.json(), invitation);
  const other = await fetch(server.url, { redirect: 'manual' });
  t.equal(other.status, 302);
  t.equal(other.headers.get('location'), longUrl);
  t.equal(server.hits.length, 2, 'both GETs are recorded');
  t.equal((await fetch(`${server.url}x`)).status, 404, 'another path is not the invitation');
});
