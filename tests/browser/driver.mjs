// driver.mjs — headless Chromium for test-browser, driven line by line.
//
// Launches the Chromium given as the first argument (never a downloaded
// one) through playwright-core, then reads one command a line on stdin
// and answers each with one line on stdout:
//   open URL            load URL, wait until noVNC is connected: url=
//   screenshot          the canvas: width= height= png= (base64)
//   click X Y           click at canvas pixel X,Y
//   type TEXT           type the rest of the line into the page
//   wait-size W H       wait until the canvas is W x H
//   quit
// Answers are "ok" and key=value words, or "error" and a message. The
// first line, "ok ready version=...", says the browser is up. When stdin
// closes (the test ended, or died) the browser is closed too.
import { chromium } from 'playwright-core';
import readline from 'node:readline';

const STEP_TIMEOUT_MS = 20000;
const CANVAS = '#noVNC_container canvas';

function answer (fields) {
  const words = Object.entries(fields).map(([key, value]) => `${key}=${value}`);
  process.stdout.write(['ok', ...words].join(' ') + '\n');
}

const browser = await chromium.launch({
  executablePath: process.argv[2],
  // As root in a container Chromium needs --no-sandbox; sRGB keeps the
  // screenshot's colours those of the canvas.
  args: ['--no-sandbox', '--force-color-profile=srgb', '--disable-gpu'],
  timeout: 60000,
});
const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 });
page.setDefaultTimeout(STEP_TIMEOUT_MS);
const canvas = page.locator(CANVAS);

async function open (url) {
  await page.goto(url);
  await page.waitForSelector('html.noVNC_connected', { state: 'attached' });
  await page.waitForFunction((selector) => {
    const c = document.querySelector(selector);
    return c !== null && c.width > 0 && c.height > 0;
  }, CANVAS);
  // noVNC's status line and control bar float over the page: keep them
  // out of the canvas's screenshot.
  await page.addStyleTag({ content: '#noVNC_status, #noVNC_control_bar_anchor { display: none !important; }' });
  return { url: page.url() };
}

async function screenshot () {
  const size = await canvas.evaluate((c) => [c.width, c.height]);
  const png = await canvas.screenshot({ animations: 'disabled', caret: 'hide' });
  return { width: size[0], height: size[1], png: png.toString('base64') };
}

async function click (x, y) {
  const box = await canvas.boundingBox();
  await page.mouse.click(box.x + x + 0.5, box.y + y + 0.5);
  return {};
}

async function type (text) {
  await page.keyboard.type(text, { delay: 30 });
  return {};
}

async function waitSize (width, height) {
  await page.waitForFunction(([selector, w, h]) => {
    const c = document.querySelector(selector);
    return c !== null && c.width === w && c.height === h;
  }, [CANVAS, width, height]);
  return {};
}

process.stdout.write(`ok ready version=${browser.version()}\n`);

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const words = line.split(' ');
  const number = (i) => Number.parseInt(words[i], 10);
  try {
    switch (words[0]) {
      case 'open': answer(await open(words[1])); break;
      case 'screenshot': answer(await screenshot()); break;
      case 'click': answer(await click(number(1), number(2))); break;
      case 'type': answer(await type(line.slice(5))); break;
      case 'wait-size': answer(await waitSize(number(1), number(2))); break;
      case 'quit': await browser.close(); answer({}); process.exit(0);
      default: process.stdout.write(`error unknown command ${words[0]}\n`);
    }
  } catch (error) {
    process.stdout.write(`error ${String(error).split('\n')[0]}\n`);
  }
}
await browser.close();
process.exit(0);
