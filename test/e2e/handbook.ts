// The small handbook the Lab, RAG and evaluation tests drop in: three sections, one gold sentence,
// and the question it answers (the echo fixture repeats its prompt, so a RAG answer contains GOLD).

/** The annual-leave sentence a RAG prompt must carry. */
export const GOLD = 'New employees get fifteen days of paid annual leave in their first year.';
export const QUESTION = 'How many days of annual leave do new employees get?';

function handbook(leave: string): string {
  return [
    '# Lanting handbook',
    '## Annual leave',
    leave,
    '## Expenses',
    'Taxi receipts above 200 yuan need the approval of your manager before they are reimbursed.',
    '## IT security',
    'VPN passwords must be changed every ninety days and contain at least twelve characters.',
  ].join('\n\n');
}

/** Markdown with the carry-over rule after the gold sentence. */
export const HANDBOOK = handbook(`${GOLD} Unused days carry over until the end of March.`);
/** The same with the gold sentence alone in its section. */
export const HANDBOOK_BRIEF = handbook(GOLD);

