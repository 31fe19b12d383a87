import { type Component, mount } from 'svelte';
import './styles.css';

/** mounts a screen's root component into #app */
export function start(App: Component): void {
  const target = document.getElementById('app');
  if (target) mount(App, { target });
}
