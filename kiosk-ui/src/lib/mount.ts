import { type Component, mount, unmount } from 'svelte';
import { setPageToken } from './api.ts';
import { errText, tr } from './i18n.svelte.ts';
import Login from './Login.svelte';
import Pairing from './Pairing.svelte';
import { pair, terminalInfo, terminalToken } from './terminal.ts';
import './styles.css';

/** Screens that act as registered terminals: kiosk and pad must pair; the display may (docs/security.md). */
const TERMINAL_SCREENS: Record<string, { kind: string; required: boolean }> = {
  kiosk: { kind: 'kiosk', required: true },
  pad: { kind: 'pad', required: true },
  display: { kind: 'display', required: false },
};

function screenName(): string {
  return (
    location.pathname
      .replace(/^\//, '')
      .replace(/\.html$/, '')
      .split('/')[0] ?? ''
  );
}

/** a pad paired for counter N shows counter N whatever its link said */
function followTerminalCounter(): void {
  const info = terminalInfo();
  const params = new URLSearchParams(location.search);
  if (info?.kind === 'pad' && info.counter && params.get('counter') !== info.counter) {
    params.set('counter', info.counter);
    history.replaceState(null, '', `${location.pathname}?${params}`);
  }
}

/** mounts a screen's root component into #app, after pairing or signing in where the screen needs it */
export async function start(App: Component): Promise<void> {
  const target = document.getElementById('app');
  if (!target) return;
  const name = screenName();
  const screen = TERMINAL_SCREENS[name];
  const params = new URLSearchParams(location.search);
  const code = params.get('pair');
  let pairError = '';
  if (screen && code) {
    // the code is used up either way: take it out of the address bar (and history)
    params.delete('pair');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
    try {
      await pair(code);
    } catch (err) {
      pairError = errText(err);
    }
  }
  if (screen?.required && !terminalToken()) {
    const form = mount(Pairing, {
      target,
      props: {
        kind: screen.kind,
        error: pairError,
        onpaired: () => {
          unmount(form);
          followTerminalCounter();
          mount(App, { target });
        },
      },
    });
    return;
  }
  if (name === 'sim') {
    // the simulator drives counters and pads: a signed-in manager only
    const KEY = 'hallq.sim.token';
    const saved = sessionStorage.getItem(KEY);
    if (!saved) {
      const form = mount(Login, {
        target,
        props: {
          title: tr('模拟设备 · 所长登录', 'Simulated devices · manager log in'),
          path: '/api/v1/auth/manager',
          onlogin: (t: string) => {
            sessionStorage.setItem(KEY, t);
            setPageToken(t);
            unmount(form);
            mount(App, { target });
          },
        },
      });
      return;
    }
    setPageToken(saved);
  }
  followTerminalCounter();
  mount(App, { target });
}
