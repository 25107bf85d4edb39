/**
 * Guards that keep berth from hanging: deadlines by class and cancellation.
 *
 * @module
 */

export * from "./deadline.ts";
