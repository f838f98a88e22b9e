// The oob parameter decoder: RFC 0434 says the receiver's Base64Url decoder MUST accept padded and
// unpadded data; standard Base64 is not Base64Url and is named as such.
import t from 'tap';
import { decodeOobParameter } from '../../suites/didcomm-v1/out-of-band.js';

const invitation = { '@type': 'https://didcomm.org/out-of-band/1.1/invitation', '@id': 'abc-123', label: 'x?>' };
const encoded = Buffer.from(JSON.stringify(invitation)).toString('base64url');

t.test('padded and unpadded Base64Url decode to the same invitation', async (t) => {
  const padded = encoded + '='.repeat((4 - (encoded.length % 4)) % 4);
  t.not(padded, encoded, 'this fixture needs padding');
  t.same(decodeOobParameter(encoded), { json: invitation, text: JSON.stringify(invitation) });
  t.same(decodeOobParameter(padded), { json: invitation, text: JSON.stringify(invitation) });
});

t.test("the RFC's own example (padded, from RFC 0434) decodes", async (t) => {
  const example =
    'eyJAdHlwZSI6Imh0dHBzOi8vZGlkY29tbS5vcmcvb3V0LW9mLWJhbmQvMS4wL2ludml0YXRpb24iLCJAaWQiOiI2OTIxMmEzYS1kMDY4LTRmOWQtYTJkZC00NzQxYmNhODlhZjMiLCJsYWJlbCI6IkZhYmVyIENvbGxlZ2UiLCJnb2FsX2NvZGUiOiJpc3N1ZS12YyIsImdvYWwiOiJUbyBpc3N1ZSBhIEZhYmVyIENvbGxlZ2UgR3JhZHVhdGUgY3JlZGVudGlhbCIsImhhbmRzaGFrZV9wcm90b2NvbHMiOlsiaHR0cHM6Ly9kaWRjb21tLm9yZy9kaWRleGNoYW5nZS8xLjAiLCJodHRwczovL2RpZGNvbW0ub3JnL2Nvbm5lY3Rpb25zLzEuMCJdLCJzZXJ2aWNlcyI6WyJkaWQ6c292OkxqZ3BTVDJyanNveFllZ1FEUm03RUwiXX0=';
  const decoded = decodeOobParameter(example);
  t.ok('json' in decoded && decoded.json['@id'] === '69212a3a-d068-4f9d-a2dd-4741bca89af3');
});

t.test('standard Base64, garbage and non-JSON are refused with the reason', async (t) => {
  const standard = Buffer.from(JSON.stringify({ label: '~~~~~~~~~' })).toString('base64');
  t.match(standard, /[+/]/, 'the fixture has a standard-Base64 character');
  t.match(decodeOobParameter(standard), { error: /not Base64Url: it contains "[+/]" \(standard Base64/ });
  t.match(decodeOobParameter('abc$def'), { error: /contains "\$"/ });
  t.match(decodeOobParameter('a'), { error: /bad length or padding/ });
  t.match(decodeOobParameter(Buffer.from('not json').toString('base64url')), { error: /not JSON: "not json"/ });
  t.match(decodeOobParameter(Buffer.from('[1]').toString('base64url')), { error: /not an object/ });
});
