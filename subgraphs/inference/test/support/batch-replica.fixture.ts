// One replica of the inference service in a child process, for the replica tests: booted by the real
// boot sequence (bootSubgraph: its SIGTERM hands jobs back, then exits 0) from the configuration in
// INFERENCE_FIXTURE_CONFIG (JSON). Its model runs are made slow (FIXTURE_PREDICT_DELAY_MS after each
// run, so every chunk is committed on its own), and with FIXTURE_HANG_AT=n the n-th run never returns
// (the process keeps heartbeating its claim until the test kills it with SIGKILL).
import 'reflect-metadata';
import { bootSubgraph } from '../../../../lib/src/kit/boot';
import type { Config } from '../../src/config';
import { createServer } from '../../src/server';

void (async () => {
  const config = JSON.parse(process.env.INFERENCE_FIXTURE_CONFIG ?? '{}') as Config;
  const delayMs = Number(process.env.FIXTURE_PREDICT_DELAY_MS ?? 0);
  const hangAt = Number(process.env.FIXTURE_HANG_AT ?? 0);
  const running = await bootSubgraph({
    name: 'inference',
    loadConfig: () => config,
    build: async (c, kit) => {
      const built = await createServer(c, { kit });
      const serving = built.services.serving;
      const predict = serving.predict.bind(serving);
      let calls = 0;
      serving.predict = async (...args: Parameters<typeof predict>) => {
        if (args[2]?.startsWith('batch:')) {
          calls += 1;
          if (calls === hangAt) {
            process.stdout.write('hanging\n');
            await new Promise(() => undefined);
          }
          const result = await predict(...args);
          await new Promise((r) => setTimeout(r, delayMs));
          process.stdout.write(`predicted ${args[2]}\n`);
          return result;
        }
        return predict(...args);
      };
      return built;
    },
  });
  process.stdout.write(`ready ${running.url}\n`);
})();
