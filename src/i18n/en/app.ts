// English strings of the app area.
export const app = {} as const;
