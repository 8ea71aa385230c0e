/**
 * The media-stack upstreams' recorded-shape answers (the simulators' fake media stack serves the
 * same) and the JSON type msw handlers answer with.
 */
import { mediaStackFixtures } from '@marquee/simulators';
import type { JsonBodyType } from 'msw';

export const api = mediaStackFixtures;

/** Any JSON an msw handler may answer. */
export type Json = JsonBodyType;
