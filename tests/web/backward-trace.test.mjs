// tests/web/backward-trace.test.mjs — "Trace a unit" on a backward step in headless Chromium, for the
// shipped lenet5-1998 and test digit 0: the `trace_backward` command's delta of a unit of every
// backward step (OUTPUT' .. C1'), rebuilt from the units it feeds, equals the engine's, with as many
// terms as the layer after it touches (S2': the C3 maps of the paper's Table I); one weight's gradient
// likewise. A mouse click on a dE/d(output) map selects the unit under it and shows its trace, also
// on slow frames (debug_sleep), and the trace's unit goes into the link.
import { check, waitState } from './harness.mjs';

const state = (page) => page.evaluate(() => window.lenet.state());
const command = (page, cmd) => page.evaluate((c) => window.lenet.command(c), cmd);

// The paper's Table I: row i lists the C3 maps that S2 map i feeds.
const TABLE_I = ['X...XXX..XXXX.XX', 'XX...XXX..XXXX.X', 'XXX...XXX..X.XXX', '.XXX..XXXX..X.XX', '..XXX..XXXX.XX.X',
                 '...XXX..XXXX.XXX'];
const fedBy = (i) => [...TABLE_I[i]].flatMap((c, o) => (c === 'X' ? [o] : []));
const feeding = (o) => TABLE_I.flatMap((row, i) => (row[o] === 'X' ? [i] : []));
// Kernel taps k (0..K-1) at which input position p reaches an output 0..n-1 of a stride-1 conv.
const taps = (p, K, n) => Array.from({ length: K }, (_, k) => p - k).filter((q) => q >= 0 && q < n).length;

// The units traced: layer, unit, the expected number of terms of dE/d(output) and of the weight's
// gradient (null: no weight), and the weight's name.
function cases() {
  const s2 = (m, y, x) => fedBy(m).length * taps(y, 5, 10) * taps(x, 5, 10);
  return [
    { layer: "OUTPUT'", unit: [7, 0, 0], terms: 0, groups: 0, weight: null },  // digit 0 is a 7: the label
    { layer: "OUTPUT'", unit: [2, 0, 0], terms: 0, groups: 0, weight: null },
    { layer: "F6'", unit: [5, 0, 0], terms: 10, groups: 1, weight: { terms: 1, name: /^F6\.weight\[5\]\[\d+\]$/ } },
    { layer: 'C5', unit: [40, 0, 0], terms: 84, groups: 1, weight: { terms: 1, name: /^C5\.weight\[40\]\[0\]\[2\]\[2\]$/ } },
    { layer: "S4'", unit: [9, 2, 3], terms: 120, groups: 120, weight: { terms: 25, name: /^S4\.coeff\[9\]$/ } },
    // C3 map 3 reads S2 maps 3, 4, 5 (Table I): its weight is the centre tap from map 3.
    { layer: "C3'", unit: [3, 6, 5], terms: 1, groups: 1,
      weight: { terms: 100, name: new RegExp(`^C3\\.weight\\[3\\]\\[${feeding(3)[0]}\\]\\[2\\]\\[2\\]$`) } },
    { layer: 'C3', unit: [15, 0, 9], terms: 1, groups: 1, weight: { terms: 100, name: /^C3\.weight\[15\]\[0\]\[2\]\[2\]$/ } },
    { layer: "S2'", unit: [2, 7, 7], terms: s2(2, 7, 7), groups: fedBy(2).length, maps: fedBy(2),
      weight: { terms: 196, name: /^S2\.coeff\[2\]$/ } },
    { layer: "S2'", unit: [5, 0, 13], terms: s2(5, 0, 13), groups: fedBy(5).length, maps: fedBy(5),
      weight: { terms: 196, name: /^S2\.coeff\[5\]$/ } },
    { layer: "C1'", unit: [4, 27, 0], terms: 1, groups: 1, weight: { terms: 784, name: /^C1\.weight\[4\]\[0\]\[2\]\[2\]$/ } },
  ];
}

// |got - want| within float rounding of a sum whose terms' magnitudes add up to `scale`.
const close = (got, want, scale) => Math.abs(got - want) <= 1e-5 * scale + 1e-6 * Math.abs(want) + 1e-9;

export const tests = [
  {
    name: 'backward-trace: a unit of every backward step: delta and one weight\'s gradient equal the engine\'s',
    async run(ctx) {
      const page = await ctx.openPage();
      await page.goto(ctx.url + '#arch=lenet5-1998&sample=0');
      await ctx.waitReady(page);
      await waitState(page, () => window.lenet.state().weights_status === 'shipped', null, 'shipped weights');
      const b = await command(page, { cmd: 'backward' });
      check(b.ok && b.label === 7, `backward: ${JSON.stringify(b)}`);
      const seen = [];
      for (const c of cases()) {
        const [map, y, x] = c.unit;
        const r = await command(page, { cmd: 'trace_backward', layer: c.layer, map, y, x });
        const what = `${c.layer} ${c.unit}`;
        check(r.ok && r.layer === c.layer.replace(/'?$/, "'"), `${what}: ${JSON.stringify(r).slice(0, 300)}`);
        check(r.unit.map === map && r.unit.y === y && r.unit.x === x, `${what}: unit ${JSON.stringify(r.unit)}`);
        check(r.matches, `${what}: recomputed delta ${r.delta} (dE/d(output) ${r.d_out}), engine ${r.engine_delta} (${r.engine_d_out})`);
        check(r.terms === c.terms && r.groups.length === c.groups,
              `${what}: ${r.terms} terms in ${r.groups.length} groups, expected ${c.terms} in ${c.groups}`);
        check(r.groups.reduce((a, g) => a + g.terms, 0) === r.terms, `${what}: the groups' terms do not add up`);
        if (c.maps) {  // the C3 maps this S2 map feeds, as Table I says
          const maps = r.groups.map((g) => Number(/to C3 map (\d+)/.exec(g.title)[1]));
          check(JSON.stringify(maps) === JSON.stringify(c.maps), `${what}: feeds C3 maps ${maps}, Table I ${c.maps}`);
        }
        if (r.from_loss) check(close(r.d_out, r.engine_d_out, 1) && /\(eq\. [89]\)/.test(r.rule), `${what}: loss rule ${r.rule}`);
        else check(close(r.d_out, r.engine_d_out, r.abs_sum), `${what}: dE/d(output) ${r.d_out} vs engine ${r.engine_d_out}`);
        check(close(r.delta, r.engine_delta, Math.abs(r.fprime) * (r.from_loss ? 1 : r.abs_sum)) && r.fprime > 0,
              `${what}: delta ${r.delta} = ${r.fprime} x ${r.d_out} vs engine ${r.engine_delta}`);
        // The engine value shown is the one `gradient` returns.
        const g = await command(page, { cmd: 'gradient', layer: c.layer.replace(/'$/, ''), of: 'output' });
        const [, H, W] = g.shape.length === 3 ? g.shape : [g.shape[0], 1, 1];
        check(Math.fround(g.values[(map * H + y) * W + x]) === Math.fround(r.engine_d_out),
              `${what}: engine dE/d(output) ${r.engine_d_out}, gradient command ${g.values[(map * H + y) * W + x]}`);
        if (c.weight === null) {
          check(r.weight === null, `${what}: a weight ${JSON.stringify(r.weight)} in a layer without one`);
        } else {
          const w = r.weight;
          check(w && c.weight.name.test(w.name) && w.terms === c.weight.terms,
                `${what}: weight ${JSON.stringify(w)}, expected ${c.weight.name} with ${c.weight.terms} terms`);
          check(w.matches && close(w.grad, w.engine_grad, w.abs_sum), `${what}: ${w.name} dE/dw ${w.grad}, engine ${w.engine_grad}`);
          check(close(w.bias_grad, w.engine_bias_grad, 1e-3), `${what}: dE/db ${w.bias_grad}, engine ${w.engine_bias_grad}`);
        }
        const s = await waitState(page, (u) => {
          const t = window.lenet.state().backward_trace;
          return t && t.unit.map === u[0] && t.unit.y === u[1] && t.unit.x === u[2];
        }, c.unit, `${what} in state()`);
        check(s.layer === r.layer && s.unit.map === map && s.backward_trace.delta === r.delta && s.trace === null,
              `${what}: state layer ${s.layer}, unit ${JSON.stringify(s.unit)}, trace ${JSON.stringify(s.trace)}`);
        seen.push(`${r.layer} ${r.terms} terms${r.weight ? `, ${r.weight.name} ${r.weight.terms}` : ''}`);
      }
      ctx.log(`traced and matched: ${seen.join('; ')}`);
      const bad = [];
      for (const cmd of [{ layer: 'LOSS', map: 0 }, { layer: 'Z9', map: 0 }, { layer: "C3'", map: 16, y: 0, x: 0 },
                         { layer: 'C3', map: 1, y: 10, x: 0 }, { layer: 'C3' }, { map: 0 }, { layer: 'F6', map: 'x' }])
        bad.push(await command(page, { cmd: 'trace_backward', ...cmd }));
      check(bad.every((r) => r.ok === false && /trace_backward/.test(r.error)), `bad arguments: ${JSON.stringify(bad)}`);
      check(page.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
  {
    name: 'backward-trace: a mouse click on a dE/d(output) unit traces it, on slow frames too; the link keeps it',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(ctx.url + '#arch=lenet5-1998&sample=0&back=C3');
      await ctx.waitReady(page);
      let s = await waitState(page, () => window.lenet.state().backward_maps.length === 16 * 4, null, "C3' maps drawn");
      check(s.layer === "C3'" && s.backward_trace === null, `start: ${s.layer}, ${JSON.stringify(s.backward_trace)}`);
      // Clicks the centre of unit (y, x) of map m, in maps of h x w units drawn at s.backward_maps.
      const click = async (rects, m, y, x, h, w) => {
        const [rx, ry, rw, rh] = rects.slice(m * 4, m * 4 + 4);
        await page.mouse.click(rx + (x + 0.5) * rw / w, ry + (y + 0.5) * rh / h);
      };
      const traced = (u) => waitState(page, (v) => {
        const t = window.lenet.state().backward_trace;
        return t && t.unit.map === v[0] && t.unit.y === v[1] && t.unit.x === v[2];
      }, u, `the trace of unit ${u}`);
      await click(s.backward_maps, 5, 6, 3, 10, 10);
      s = await traced([5, 6, 3]);
      check(s.backward_trace.matches && s.backward_trace.weight.matches && s.backward_trace.layer === "C3'",
            `clicked C3' unit: ${JSON.stringify(s.backward_trace).slice(0, 300)}`);
      await page.waitForFunction(() => /back=C3(&|$)/.test(window.location.hash) && /unit=5,6,3(&|$)/.test(window.location.hash), null,
                                { timeout: 10000 });
      await page.waitForTimeout(300);
      await ctx.screenshot(page, 'backward-trace-C3');
      // F6': 84 units in the paper's 7 x 12 grid, one rectangle.
      check((await command(page, { cmd: 'select_layer', layer: "F6'" })).ok, "select_layer F6'");
      s = await waitState(page, () => window.lenet.state().backward_maps.length === 4 && window.lenet.state().layer === "F6'",
                          null, "F6' grid drawn");
      check(s.backward_trace === null, `a new step starts without a unit: ${JSON.stringify(s.backward_trace)}`);
      await click(s.backward_maps, 0, Math.floor(30 / 7), 30 % 7, 12, 7);
      s = await traced([30, 0, 0]);
      check(s.backward_trace.terms === 10 && s.backward_trace.matches, `F6' unit 30: ${JSON.stringify(s.backward_trace).slice(0, 300)}`);
      // Slow frames: a click (down and up at once) still selects, on C1' this time.
      check((await command(page, { cmd: 'debug_sleep', ms: 150 })).ok, 'debug_sleep');
      check((await command(page, { cmd: 'select_layer', layer: "C1'" })).ok, "select_layer C1'");
      s = await waitState(page, () => window.lenet.state().backward_maps.length === 6 * 4 && window.lenet.state().layer === "C1'",
                          null, "C1' maps drawn");
      await click(s.backward_maps, 2, 20, 11, 28, 28);
      s = await traced([2, 20, 11]);
      check(s.backward_trace.matches && s.backward_trace.weight.terms === 784, `C1' unit: ${JSON.stringify(s.backward_trace).slice(0, 300)}`);
      check((await command(page, { cmd: 'debug_sleep', ms: 0 })).ok, 'debug_sleep 0');
      // The frame stays cheap with the 784-term table shown: app_ms, the mean of the last 120 frames.
      s = await waitState(page, (f) => window.lenet.state().frames >= f, s.frames + 125, '125 frames at full speed', 60000);
      check(s.app_ms <= 20, `app_ms ${s.app_ms} (max ${s.app_ms_max}) with C1's weight trace shown`);
      ctx.log(`C1' trace shown: app_ms ${s.app_ms.toFixed(2)} (max ${s.app_ms_max.toFixed(2)})`);
      // A link to a backward unit opens its trace.
      const link = await ctx.openPage({ viewport: { width: 1280, height: 800 } });
      await link.goto(ctx.url + '#arch=lenet5-1998&sample=0&back=S2&unit=2,7,7');
      await ctx.waitReady(link);
      s = await waitState(link, () => window.lenet.state().backward_trace !== null, null, "the linked S2' unit's trace");
      check(s.backward_trace.layer === "S2'" && s.backward_trace.terms === 250 && s.backward_trace.matches,
            `link to S2' unit 2,7,7: ${JSON.stringify(s.backward_trace).slice(0, 300)}`);
      check(page.lenetErrors.length === 0 && link.lenetErrors.length === 0, `page errors: ${page.lenetErrors.join(' | ')}`);
    },
  },
];
