import { KgalError } from '../errors/kgal-error.js';

/** One problem found in an input file, located precisely enough for a person to fix it. */
export interface InputIssue {
  file: string;
  /** 1-based line number in the file (for CSV: the line where the record starts). */
  line: number;
  field?: string;
  message: string;
}

const MAX_LISTED_ISSUES = 20;

export function formatIssue(issue: InputIssue): string {
  const where = `${issue.file}:${issue.line}`;
  return issue.field ? `${where}: field "${issue.field}": ${issue.message}` : `${where}: ${issue.message}`;
}

/**
 * Thrown when an input file is rejected. Nothing from the file has been written when this is raised:
 * callers validate the whole file before the first write.
 */
export class InputValidationError extends KgalError {
  readonly issues: InputIssue[];

  constructor(issues: InputIssue[]) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map(formatIssue);
    const more = issues.length > MAX_LISTED_ISSUES ? [`... and ${issues.length - MAX_LISTED_ISSUES} more`] : [];
    const files = [...new Set(issues.map((i) => i.file))].join(', ');
    super('rejected', [`rejected ${files}: ${issues.length} problem(s), nothing written`, ...listed, ...more].join('\n  '));
    this.name = 'InputValidationError';
    this.issues = issues;
  }
}
