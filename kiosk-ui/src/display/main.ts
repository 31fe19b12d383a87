import { start } from '../lib/mount.ts';
import App from './App.svelte';

start(App);
