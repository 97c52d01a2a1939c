/**
 * `npm run pipeline`: runs dist/pipeline/cli.js in this process, after checking that dist/ was
 * built from the sources as they are (scripts/build.mjs). Nothing changed: it runs at once.
 * Sources changed: it rebuilds first, saying so; a build that fails (or cannot run) stops here
 * with exit code 70 and the compiler's errors, never running stale code. With --log-json these
 * messages are JSON lines too, like everything else the run writes.
 */
import { BUILD_FAILED_EXIT, ensureBuilt } from './build.mjs';

const json = process.argv.includes('--log-json');
const say = (level, message, extra = {}) => {
  if (json)
    process.stderr.write(
      JSON.stringify({ time: new Date().toISOString(), level, run_id: null, message, stage: 'build', ...extra }) + '\n',
    );
  else process.stderr.write(`pipeline: ${message}\n`);
};

const r = ensureBuilt();
if (!r.ok) {
  if (json) say('error', r.message, { compiler_output: r.output, exit_code: BUILD_FAILED_EXIT });
  else {
    if (r.output) process.stderr.write(r.output + '\n');
    say('error', r.message);
  }
  process.exitCode = BUILD_FAILED_EXIT;
} else {
  if (r.built) say('info', r.message);
  await import('../dist/pipeline/cli.js');
}
