export { scoreJunction, scoreResults, junctionOf, isValidScore, parseScore, verdictOf, withMustCoverage, SCORE_PATTERN } from './score.js';
export type { JunctionScore, MustCoverage, ParsedScore, Verdict } from './score.js';
export { validateProfile, PROFILE_SCHEMA } from './validate.js';
export type { ProfileProblem, ProfileValidation } from './validate.js';
export type { InteropProfile, TestResult, TestStatus, Finding, Score, RunInterruption } from './types.js';
export { compareProfiles, IncomparableProfilesError } from './compare.js';
export type { ProfileComparison, JunctionComparison, ClusterComparison } from './compare.js';
export { answerMetadata, answerMetadataRequest, AGENT_METADATA_PREFIX, AGENT_METADATA_TYPES, MAX_METADATA_ITEMS } from './agent-metadata.js';
export type { MetadataAnswer, MetadataProblem, MetadataProblemCode, MetadataReply } from './agent-metadata.js';
