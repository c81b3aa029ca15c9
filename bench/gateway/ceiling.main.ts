// The benchmark's ceiling: a plain `node:http` server that reads each request and answers it with
// the heavy query's answer bytes (recorded from the first gateway measured), with no GraphQL at all.
// What any Node gateway could reach at best on this machine with this client and answer size.
// `node --import tsx bench/gateway/ceiling.main.ts <answer file> <port>`
import fs from 'node:fs';
import http from 'node:http';

function main(): void {
  const [answerPath, port] = process.argv.slice(2);
  if (answerPath === undefined || port === undefined) throw new Error('usage: ceiling.main ANSWER_FILE PORT');
  const answer = fs.readFileSync(answerPath);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(answer.length) };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) {
      res.writeHead(404).end();
      return;
    }
    // Read the whole body first, as a gateway must.
    req.on('data', () => undefined);
    req.on('end', () => res.writeHead(200, headers).end(answer));
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(port), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/graphql` })}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
