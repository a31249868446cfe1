// How long each simulated step takes, as data: zero in tests (still asynchronous, through
// the watch), seconds in a demo so the states can be watched going by.

export interface SandboxTiming {
  /** VMI: Pending → Scheduling → Scheduled (pod scheduled) */
  vmiSchedule: number;
  /** VMI: Scheduled → Running (boot) */
  vmiBoot: number;
  /** VMI: deletion → gone (guest shutdown) */
  vmiStop: number;
  /** Migration: each step (scheduling, target ready, switch-over) */
  migrationStep: number;
  /** DataVolume: Pending → ImportScheduled / CloneScheduled / UploadScheduled */
  dvSchedule: number;
  /** DataVolume: each progress step of an import or clone */
  dvProgressStep: number;
  /** Progress steps per import (percentages shown between 0 and 100) */
  dvProgressSteps: number;
  /** PVC: Pending → Bound */
  pvcBind: number;
  /** VolumeSnapshot: → readyToUse */
  snapshotReady: number;
  /** Service type LoadBalancer: → ingress IP */
  loadBalancer: number;
}

export const INSTANT_TIMING: SandboxTiming = {
  vmiSchedule: 0,
  vmiBoot: 0,
  vmiStop: 0,
  migrationStep: 0,
  dvSchedule: 0,
  dvProgressStep: 0,
  dvProgressSteps: 1,
  pvcBind: 0,
  snapshotReady: 0,
  loadBalancer: 0,
};

export const DEMO_TIMING: SandboxTiming = {
  vmiSchedule: 1000,
  vmiBoot: 4000,
  vmiStop: 2000,
  migrationStep: 1500,
  dvSchedule: 1000,
  dvProgressStep: 1000,
  dvProgressSteps: 4,
  pvcBind: 500,
  snapshotReady: 2000,
  loadBalancer: 1500,
};
