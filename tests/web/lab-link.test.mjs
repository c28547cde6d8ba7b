// tests/web/lab-link.test.mjs — deep links to the Lab's transform (lab= in the URL hash): a transform
// set with a slider on slow frames goes into state().hash, and that hash opened in a fresh page shows
// the Lab with the same transform, the same scores bit for bit and the same prediction; a link typed
// into an open page on slow frames applies too, with its sweep; bad lab= parts (out of range, NaN,
// unknown, duplicate) are ignored with a notice naming them while the rest of the link applies; on a
// phone the link opens the Lab's section.
import { check, waitState } from './harness.mjs';

const state = (page) => page.evaluate(() => window.lenet.state());
const command = (page, c) => page.evaluate((c) => window.lenet.command(c), c);
const centre = (r) => [r.x + r.w / 2, r.y + r.h / 2];
const labOpen = () => { const l = window.lenet.state().lab; return l.page === 0 && l.sliders[0].w > 0; };

// Opens url#hash in a page that has not seen it: about:blank first (a reload could race the page
// rewriting its own hash with history.replaceState).
async function openLink(ctx, page, hash) {
  await page.goto('about:blank');
  await page.goto(ctx.url + hash);
  return ctx.waitReady(page);
}

export const tests = [
  {
    name: 'lab-link: a transform in the hash opens the Lab with the same input and prediction; bad parts are noticed',
    async run(ctx) {
      const page = await ctx.openPage({ viewport: { width: 1280, height: 800 } });
      let s = await openLink(ctx, page, '#sample=0&layer=C1');
      const plain = s;
      check(!/lab=/.test(s.hash) && s.lab.identity, `no lab= while the transform is the identity: ${s.hash}`);

      // The transform command: the canonical hash carries it, in kLabKeyNames order.
      check((await command(page, { cmd: 'transform', rotate: 20, dx: 3 })).ok, 'transform');
      s = await waitState(page, () => /lab=dx:3,rotate:20$/.test(window.lenet.state().hash), null, 'lab= in the hash');
      check(s.hash === '#arch=lenet5-1998&sample=0&layer=C1&lab=dx:3,rotate:20', `hash ${s.hash}`);

      // The Lab opened with the identity: lab= alone (the link opens the Lab).
      check((await command(page, { cmd: 'transform' })).ok, 'identity');
      const tab = (await waitState(page, () => window.lenet.state().lab.tab.w > 0, null, 'the Lab tab')).lab.tab;
      await page.mouse.move(...centre(tab));
      await page.waitForTimeout(300);
      await page.mouse.click(...centre(tab));
      s = await waitState(page, () => /&lab=$/.test(window.lenet.state().hash), null, 'lab= with the Lab open');

      // Sliders moved by the mouse on slow frames (they round to their format), then a shear that is
      // no short decimal: the link must keep every float bit for bit.
      check((await command(page, { cmd: 'debug_sleep', ms: 120 })).ok, 'debug_sleep');
      s = await waitState(page, labOpen, null, 'the Invariance page');
      const rot = s.lab.sliders[3], sc = s.lab.sliders[2];
      await page.mouse.click(rot.x + rot.w * 0.29, rot.y + rot.h / 2);
      s = await waitState(page, () => window.lenet.state().lab.transform.rotate < -5, null, 'rotate by mouse, slow frames');
      await page.mouse.click(sc.x + sc.w * 0.37, sc.y + sc.h / 2);
      s = await waitState(page, () => { const s = window.lenet.state(); return s.lab.transform.scale < 0.95 && /scale:/.test(s.hash); },
                          null, 'scale by mouse, slow frames');
      check((await command(page, { cmd: 'debug_sleep', ms: 0 })).ok, 'debug_sleep 0');
      check((await command(page, { cmd: 'transform', ...s.lab.transform, shear: 0.123456789 })).ok, 'shear');
      const sent = await waitState(page, () => /shear:/.test(window.lenet.state().hash), null, 'shear in the hash');
      check(/^#arch=lenet5-1998&sample=0&layer=C1&lab=scale:[0-9.]+,rotate:-[0-9.]+,shear:0\.12345679$/.test(sent.hash), `hash ${sent.hash}`);
      check(sent.scores.some((v, k) => v !== plain.scores[k]), 'the transform changed the scores');
      ctx.log(`sent: ${sent.hash} (predicted ${sent.prediction}, label ${sent.label})`);

      // The same hash in a fresh page: the Lab opens on it, the same transform, input and prediction.
      const fresh = await ctx.openPage({ viewport: { width: 1280, height: 800 } });
      s = await openLink(ctx, fresh, sent.hash);
      s = await waitState(fresh, labOpen, null, 'the Lab opened by the link');
      check(JSON.stringify(s.lab.transform) === JSON.stringify(sent.lab.transform),
            `transform ${JSON.stringify(s.lab.transform)}, sent ${JSON.stringify(sent.lab.transform)}`);
      check(s.sample === 0 && s.layer === 'C1' && s.prediction === sent.prediction &&
            s.scores.every((v, k) => v === sent.scores[k]), `received: #${s.sample} ${s.layer} ${s.prediction} ${s.scores}`);
      check(s.hash === sent.hash && s.notices.length === 0, `received hash ${s.hash}, notices ${JSON.stringify(s.notices)}`);
      s = await waitState(fresh, () => window.lenet.state().lab.sweep.done, null, 'the sweep of the linked digit');
      await ctx.screenshot(fresh, 'lab-link-opened');

      // A link typed into the open page, on slow frames: another digit, rotated, noise with a seed, the
      // scale sweep.
      check((await command(fresh, { cmd: 'debug_sleep', ms: 150 })).ok, 'debug_sleep');
      const typed = '#sample=1&layer=C3&lab=rotate:-30,noise:0.05,seed:9,sweep:scale';
      await fresh.evaluate((h) => { window.location.hash = h; }, typed);
      s = await waitState(fresh, () => { const s = window.lenet.state(); return s.sample === 1 && s.lab.transform.rotate === -30; },
                          null, 'the typed link on slow frames');
      check(s.layer === 'C3' && s.lab.transform.noise === Math.fround(0.05) && s.lab.transform.seed === 9 &&
            s.lab.transform.dx === 0 && s.lab.transform.scale === 1 && s.lab.sweep.param === 'scale',
            `typed link: ${s.layer} ${JSON.stringify(s.lab.transform)} sweep ${s.lab.sweep.param}`);
      s = await waitState(fresh, () => window.lenet.state().hash === '#arch=lenet5-1998&sample=1&layer=C3&lab=rotate:-30,noise:0.05,seed:9,sweep:scale',
                          null, 'the typed link as the canonical hash');
      const api = await command(fresh, { cmd: 'transform', rotate: -30, noise: 0.05, seed: 9 });
      check(api.ok && api.prediction === s.prediction && api.scores.every((v, k) => v === s.scores[k]),
            `the transform command on the same digit: ${api.prediction} ${api.scores}, link ${s.prediction} ${s.scores}`);

      // Bad parts, typed into the open page (slow frames still): each named, the rest applies.
      const bad = '#sample=2&lab=rotate:90,dx:2,zoom:3,dy:NaN,dx:4,scale:0.3';
      await fresh.evaluate((h) => { window.location.hash = h; }, bad);
      s = await waitState(fresh, () => window.lenet.state().notices.some((n) => /zoom:3/.test(n)), null, 'notices for bad lab= parts');
      await fresh.waitForTimeout(1000);  // the hashchange event and hash.js's sync have both run
      s = await state(fresh);
      for (const part of ['rotate:90', 'zoom:3', 'dy:NaN', "second 'dx'", 'scale:0.3'])
        check(s.notices.filter((n) => n.includes(part)).length === 1, `not one notice naming ${part}: ${JSON.stringify(s.notices)}`);
      check(s.sample === 2 && s.lab.transform.dx === 2 && s.lab.transform.rotate === 0 && s.lab.transform.dy === 0 &&
            s.lab.transform.scale === 1, `the rest applies: #${s.sample} ${JSON.stringify(s.lab.transform)}`);
      check((await command(fresh, { cmd: 'debug_sleep', ms: 0 })).ok, 'debug_sleep 0');
      ctx.log(`notices: ${s.notices.join(' | ')}`);
      // The same bad link loaded afresh.
      s = await openLink(ctx, fresh, bad);
      check(s.sample === 2 && s.lab.transform.dx === 2 && s.notices.some((n) => /rotate:90 in lab= \(rotate is -45\.\.45\)/.test(n)),
            `bad lab= on load: #${s.sample} ${JSON.stringify(s.lab.transform)} ${JSON.stringify(s.notices)}`);
      await ctx.screenshot(fresh, 'lab-link-bad');
      check(page.lenetErrors.length === 0 && fresh.lenetErrors.length === 0, [...page.lenetErrors, ...fresh.lenetErrors].join('\n'));

      // On a phone the link opens the Lab's section of the stacked layout.
      const phone = await ctx.openPage({ viewport: { width: 390, height: 844 } });
      s = await openLink(ctx, phone, '#sample=0&lab=rotate:20');
      s = await waitState(phone, labOpen, null, 'the Lab section opened by the link (phone)');
      check(s.stacked && s.lab.transform.rotate === 20 && s.hash === '#arch=lenet5-1998&sample=0&layer=INPUT&lab=rotate:20', `phone: ${s.hash}`);
    },
  },
];
