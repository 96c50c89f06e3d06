/**
 * The `phase` values a `next.config` function is called with, under Next's `next/constants` names
 * (`PHASE_PRODUCTION_SERVER`, …). The build inlines them as `next/constants`; typegen declares them.
 * @module
 */
export const NEXT_PHASES: Readonly<Record<string, string>> = {
  PHASE_EXPORT: "phase-export",
  PHASE_ANALYZE: "phase-analyze",
  PHASE_PRODUCTION_BUILD: "phase-production-build",
  PHASE_PRODUCTION_SERVER: "phase-production-server",
  PHASE_DEVELOPMENT_SERVER: "phase-development-server",
  PHASE_TEST: "phase-test",
  PHASE_INFO: "phase-info",
};
