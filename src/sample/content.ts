// The built-in sample workspace: the handbook of a FICTIONAL company (Lanting Tech / 兰亭科技) in
// English and Chinese, a few-shot example bank and a 20-question test set whose gold passages are
// copied verbatim from the handbook. tools/make-sample.mjs renders the handbook into public/sample/.

/** One titled section of the handbook (a level-2 heading in the files). */
export interface HandbookSection {
  heading: string;
  paragraphs: string[];
}

export type PartId = 'leave' | 'expenses' | 'security';
import { SAMPLE_QUESTION, SAMPLE_TESTSET_ID, SAMPLE_TESTSET_NAME, type SampleLang } from './ids';

export { SAMPLE_QUESTION, SAMPLE_TESTSET_ID, SAMPLE_TESTSET_NAME, type SampleLang };

export interface HandbookPart {
  id: PartId;
  title: string;
  sections: HandbookSection[];
}

/** Rules a model cannot guess: specific numbers, days, amounts, names and extensions. */
export const HANDBOOK: Record<SampleLang, HandbookPart[]> = {
  en: [
    {
      id: 'leave',
      title: 'Leave',
      sections: [
        {
          heading: 'Annual leave',
          paragraphs: [
            'Every employee of Lanting Tech gets 12 days of paid annual leave in the first calendar year of employment. From the second year, one extra day is added for each completed year of service, up to a maximum of 20 days.',
            'Unused annual leave carries over until 31 March of the following year and then lapses.',
          ],
        },
        {
          heading: 'Requesting leave',
          paragraphs: [
            'Leave is requested in the Orchid portal at least 5 working days in advance. Leave of 3 or more consecutive working days must also be approved by the head of department. Requests made with less notice are approved only in emergencies.',
          ],
        },
        {
          heading: 'Sick leave',
          paragraphs: [
            'Employees have 8 days of fully paid sick leave per year. For a sickness of more than 2 consecutive days, a doctor\'s certificate must be uploaded to Orchid within 3 working days of returning to work.',
          ],
        },
        {
          heading: 'Birthday leave and volunteer day',
          paragraphs: [
            'Every employee gets one paid birthday day off, to be taken within the calendar month of their birthday. In addition, each employee may take one paid volunteer day per year to work for a registered charity.',
          ],
        },
      ],
    },
    {
      id: 'expenses',
      title: 'Expenses',
      sections: [
        {
          heading: 'Submitting claims',
          paragraphs: [
            'Expense claims are submitted in the LT-Pay app within 30 days of the expense. Every claim needs an official fapiao issued to Lanting Tech with the company tax number. Claims submitted after 30 days are paid only with the approval of the finance director.',
          ],
        },
        {
          heading: 'Travel: hotels and meals',
          paragraphs: [
            'Hotel costs are reimbursed up to 650 yuan per night in Beijing, Shanghai, Guangzhou and Shenzhen, and up to 450 yuan per night in other cities. The meal allowance on business trips is 120 yuan per day in these four cities and 90 yuan per day elsewhere; no meal receipts are needed.',
          ],
        },
        {
          heading: 'Flights and taxis',
          paragraphs: [
            'Flights are booked in economy class; business class is allowed only for flights longer than 8 hours and needs the approval of the CFO.',
            'Taxis are reimbursed for trips between 22:00 and 06:00 or when carrying equipment; a single taxi ride above 150 yuan needs the approval of your manager.',
          ],
        },
        {
          heading: 'Client meals and gifts',
          paragraphs: [
            'Client dinners are reimbursed up to 300 yuan per person, and the claim must list the names and companies of all guests. Gifts to clients may not exceed 200 yuan in value per person per year.',
          ],
        },
      ],
    },
    {
      id: 'security',
      title: 'IT security',
      sections: [
        {
          heading: 'Passwords',
          paragraphs: [
            'Passwords must be at least 14 characters long and are changed every 120 days. The last 5 passwords may not be reused. Two-factor authentication with the LT-Key app is required for email and VPN.',
          ],
        },
        {
          heading: 'Laptops and screens',
          paragraphs: [
            'Company laptops must use full-disk encryption and lock the screen automatically after 5 minutes without use. Only software from the Lanting software centre may be installed.',
          ],
        },
        {
          heading: 'Lost devices and incidents',
          paragraphs: [
            'A lost or stolen laptop or phone must be reported to the IT security hotline on extension 8110 within 2 hours. Suspicious emails are forwarded to phishing@lanting.example and then deleted; never click their links.',
          ],
        },
        {
          heading: 'USB drives and customer data',
          paragraphs: [
            'USB storage devices are blocked on all company laptops. An exception can be requested with an IT ticket and is granted for at most 30 days. Customer data may be stored only on the Vault drive, never in personal cloud storage.',
          ],
        },
        {
          heading: 'Networks',
          paragraphs: [
            'Visitors use the LT-Guest Wi-Fi network, whose password changes every Monday. Outside the office, staff must connect through the company VPN before opening any internal system.',
          ],
        },
      ],
    },
  ],
  zh: [
    {
      id: 'leave',
      title: '假期',
      sections: [
        {
          heading: '年假',
          paragraphs: [
            '兰亭科技员工入职第一个自然年享有 12 天带薪年假。从第二年起，每满一年工龄增加 1 天，最多 20 天。',
            '未休完的年假可保留至次年 3 月 31 日，逾期作废。',
          ],
        },
        {
          heading: '请假流程',
          paragraphs: [
            '请假须至少提前 5 个工作日在兰草（Orchid）系统中提交。连续请假 3 个工作日及以上，还须经部门负责人批准。提前不足的申请仅在紧急情况下批准。',
          ],
        },
        {
          heading: '病假',
          paragraphs: [
            '员工每年享有 8 天全薪病假。连续病休超过 2 天的，须在返岗后 3 个工作日内将医院证明上传至兰草系统。',
          ],
        },
        {
          heading: '生日假与公益日',
          paragraphs: [
            '每位员工享有 1 天带薪生日假，须在生日所在的自然月内休完。此外，每位员工每年可申请 1 天带薪公益日，用于在登记注册的公益组织做志愿服务。',
          ],
        },
      ],
    },
    {
      id: 'expenses',
      title: '费用报销',
      sections: [
        {
          heading: '报销时限',
          paragraphs: [
            '费用须在发生后 30 天内通过 LT-Pay 应用提交报销。每笔报销都须附抬头为兰亭科技并载有公司税号的正式发票。超过 30 天提交的报销须经财务总监批准方可支付。',
          ],
        },
        {
          heading: '差旅：住宿与餐补',
          paragraphs: [
            '住宿费在北京、上海、广州、深圳每晚最高报销 650 元，其他城市每晚最高 450 元。出差餐补在上述四个城市为每天 120 元，其他城市为每天 90 元，无需餐费发票。',
          ],
        },
        {
          heading: '机票与出租车',
          paragraphs: [
            '机票一律预订经济舱；仅飞行时间超过 8 小时的航班可乘坐公务舱，且须经首席财务官批准。',
            '晚上 22:00 至早上 06:00 之间出行或携带设备时，可报销出租车费；单次出租车费超过 150 元须经直属经理批准。',
          ],
        },
        {
          heading: '客户招待与礼品',
          paragraphs: [
            '客户宴请每人最高报销 300 元，报销单须列明所有宾客的姓名和单位。赠送给客户的礼品，每人每年价值不得超过 200 元。',
          ],
        },
      ],
    },
    {
      id: 'security',
      title: '信息安全',
      sections: [
        {
          heading: '密码',
          paragraphs: [
            '密码长度至少 14 位，每 120 天更换一次，不得重复使用最近 5 次用过的密码。登录邮箱和 VPN 必须使用 LT-Key 应用进行双重验证。',
          ],
        },
        {
          heading: '电脑与屏幕',
          paragraphs: [
            '公司电脑必须启用全盘加密，闲置 5 分钟后自动锁屏。只能安装兰亭软件中心提供的软件。',
          ],
        },
        {
          heading: '设备丢失与安全事件',
          paragraphs: [
            '公司电脑或手机丢失、被盗，须在 2 小时内拨打信息安全热线分机 8110 报告。可疑邮件请转发至 phishing@lanting.example 后删除，切勿点击其中的链接。',
          ],
        },
        {
          heading: 'U 盘与客户数据',
          paragraphs: [
            '所有公司电脑均禁用 U 盘等 USB 存储设备。如确有需要，可提交 IT 工单申请例外，最长批准 30 天。客户数据只能存放在 Vault 网盘，严禁存入个人云盘。',
          ],
        },
        {
          heading: '网络',
          paragraphs: [
            '访客使用 LT-Guest 无线网络，其密码每周一更换。在办公室以外，员工须先连接公司 VPN，才能打开任何内部系统。',
          ],
        },
      ],
    },
  ],
};

export const HANDBOOK_TITLE: Record<SampleLang, string> = {
  en: 'Lanting Tech employee handbook',
  zh: '兰亭科技员工手册',
};

/** Printed at the top of every sample file, so a file found on its own is still recognisable. */
export const SAMPLE_NOTICE: Record<SampleLang, string> = {
  en: 'Sample data for Method Lab: the company and every rule below are fictional.',
  zh: 'Method Lab 示例数据：公司及以下所有规定均为虚构。',
};

export type SampleFormat = 'md' | 'pdf' | 'docx';

export interface SampleFile {
  /** File name under public/sample/ and in the library. */
  name: string;
  lang: SampleLang;
  format: SampleFormat;
  parts: PartId[];
  mime: string;
}

/** Each part exists in both languages; the formats are spread so the sample shows every extractor. */
export const SAMPLE_FILES: readonly SampleFile[] = [
  { name: 'lanting-handbook-en.md', lang: 'en', format: 'md', parts: ['leave', 'expenses'], mime: 'text/markdown' },
  { name: 'lanting-handbook-zh.md', lang: 'zh', format: 'md', parts: ['leave', 'expenses'], mime: 'text/markdown' },
  { name: 'lanting-it-security-en.pdf', lang: 'en', format: 'pdf', parts: ['security'], mime: 'application/pdf' },
  { name: 'lanting-it-security-zh.docx', lang: 'zh', format: 'docx', parts: ['security'], mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
];

/** The test set as a downloadable file next to the documents (the format the Evaluate importer reads). */
export const SAMPLE_TESTSET_FILE = 'lanting-testset.json';

export interface SampleExample {
  id: string;
  question: string;
  answer: string;
}

/**
 * The few-shot bank: questions about policies the handbook does NOT contain, so the examples teach
 * the answer style (short, specific, with the source; a plain "not covered" when unknown) but leak no facts.
 */
export const SAMPLE_EXAMPLES: readonly SampleExample[] = [
  { id: 'sample:ex-1', question: 'How many days a week can I work from home?', answer: 'Up to 2 days a week, agreed with your team lead at least one week ahead. (Source: Handbook › Remote work)' },
  { id: 'sample:ex-2', question: '每年的培训预算是多少？', answer: '每位员工每年有 3000 元培训预算，须在课程开始前在兰草系统中申请。（出处：员工手册 › 培训）' },
  { id: 'sample:ex-3', question: 'Can I bring my dog to the office?', answer: 'The handbook does not cover pets, so I cannot say. Please ask HR before bringing one.' },
  { id: 'sample:ex-4', question: '陪产假有几天？', answer: '陪产假为 15 天，须在孩子出生后 6 个月内休完。（出处：员工手册 › 家庭假期）' },
];

export interface SampleTestItem {
  id: string;
  question: string;
  /** '' when the handbook does not answer it: the right behaviour is to say so. */
  answer: string;
  /** Verbatim sentences of the handbook (checked by a unit test). */
  goldPassages: string[];
  goldDocument?: string;
  tags: string[];
}


const EN_MD = 'lanting-handbook-en.md';
const ZH_MD = 'lanting-handbook-zh.md';
const EN_PDF = 'lanting-it-security-en.pdf';
const ZH_DOCX = 'lanting-it-security-zh.docx';

export const SAMPLE_TESTSET: readonly SampleTestItem[] = [
  { id: 'en-01', question: 'How many days of paid annual leave does a new employee at Lanting Tech get in the first year?', answer: '12 days.', goldPassages: ['Every employee of Lanting Tech gets 12 days of paid annual leave in the first calendar year of employment.'], goldDocument: EN_MD, tags: ['en', 'leave'] },
  { id: 'en-02', question: 'Until when can unused annual leave be carried over?', answer: 'Until 31 March of the following year.', goldPassages: ['Unused annual leave carries over until 31 March of the following year and then lapses.'], goldDocument: EN_MD, tags: ['en', 'leave'] },
  { id: 'en-03', question: 'How far in advance must leave be requested?', answer: 'At least 5 working days in advance, in the Orchid portal.', goldPassages: ['Leave is requested in the Orchid portal at least 5 working days in advance.'], goldDocument: EN_MD, tags: ['en', 'leave'] },
  { id: 'en-04', question: 'What is the hotel limit per night in Shanghai?', answer: '650 yuan per night.', goldPassages: ['Hotel costs are reimbursed up to 650 yuan per night in Beijing, Shanghai, Guangzhou and Shenzhen, and up to 450 yuan per night in other cities.'], goldDocument: EN_MD, tags: ['en', 'expenses'] },
  { id: 'en-05', question: 'Within how many days must an expense claim be submitted?', answer: 'Within 30 days of the expense, in the LT-Pay app.', goldPassages: ['Expense claims are submitted in the LT-Pay app within 30 days of the expense.'], goldDocument: EN_MD, tags: ['en', 'expenses'] },
  { id: 'en-06', question: 'Above what amount does a single taxi ride need the approval of a manager?', answer: '150 yuan.', goldPassages: ['Taxis are reimbursed for trips between 22:00 and 06:00 or when carrying equipment; a single taxi ride above 150 yuan needs the approval of your manager.'], goldDocument: EN_MD, tags: ['en', 'expenses'] },
  { id: 'en-07', question: 'How long must passwords be, and how often are they changed?', answer: 'At least 14 characters, changed every 120 days.', goldPassages: ['Passwords must be at least 14 characters long and are changed every 120 days.'], goldDocument: EN_PDF, tags: ['en', 'security'] },
  { id: 'en-08', question: 'Which extension do I call to report a lost laptop, and how quickly?', answer: 'Extension 8110, within 2 hours.', goldPassages: ['A lost or stolen laptop or phone must be reported to the IT security hotline on extension 8110 within 2 hours.'], goldDocument: EN_PDF, tags: ['en', 'security'] },
  { id: 'en-09', question: 'For how long can an exception for USB storage devices be granted?', answer: 'For at most 30 days.', goldPassages: ['An exception can be requested with an IT ticket and is granted for at most 30 days.'], goldDocument: EN_PDF, tags: ['en', 'security'] },
  { id: 'en-10', question: 'How many parking spaces does the Lanting Tech office have?', answer: '', goldPassages: [], tags: ['en', 'unanswerable'] },
  { id: 'zh-01', question: '出差时在深圳每天的餐补是多少？', answer: '每天 120 元。', goldPassages: ['出差餐补在上述四个城市为每天 120 元，其他城市为每天 90 元，无需餐费发票。'], goldDocument: ZH_MD, tags: ['zh', 'expenses'] },
  { id: 'zh-02', question: '每年有几天全薪病假？', answer: '8 天。', goldPassages: ['员工每年享有 8 天全薪病假。'], goldDocument: ZH_MD, tags: ['zh', 'leave'] },
  { id: 'zh-03', question: '生日假必须在什么时候休？', answer: '须在生日所在的自然月内休完。', goldPassages: ['每位员工享有 1 天带薪生日假，须在生日所在的自然月内休完。'], goldDocument: ZH_MD, tags: ['zh', 'leave'] },
  { id: 'zh-04', question: '年假最多可以有多少天？', answer: '最多 20 天。', goldPassages: ['从第二年起，每满一年工龄增加 1 天，最多 20 天。'], goldDocument: ZH_MD, tags: ['zh', 'leave'] },
  { id: 'zh-05', question: '什么情况下可以乘坐公务舱？', answer: '仅飞行时间超过 8 小时的航班，且须经首席财务官批准。', goldPassages: ['机票一律预订经济舱；仅飞行时间超过 8 小时的航班可乘坐公务舱，且须经首席财务官批准。'], goldDocument: ZH_MD, tags: ['zh', 'expenses'] },
  { id: 'zh-06', question: '客户宴请每人最多报销多少钱？', answer: '每人 300 元。', goldPassages: ['客户宴请每人最高报销 300 元，报销单须列明所有宾客的姓名和单位。'], goldDocument: ZH_MD, tags: ['zh', 'expenses'] },
  { id: 'zh-07', question: '公司电脑闲置多久后自动锁屏？', answer: '5 分钟。', goldPassages: ['公司电脑必须启用全盘加密，闲置 5 分钟后自动锁屏。'], goldDocument: ZH_DOCX, tags: ['zh', 'security'] },
  { id: 'zh-08', question: '可疑邮件应该转发到哪个地址？', answer: 'phishing@lanting.example', goldPassages: ['可疑邮件请转发至 phishing@lanting.example 后删除，切勿点击其中的链接。'], goldDocument: ZH_DOCX, tags: ['zh', 'security'] },
  { id: 'zh-09', question: '访客无线网络的密码多久更换一次？', answer: '每周一更换。', goldPassages: ['访客使用 LT-Guest 无线网络，其密码每周一更换。'], goldDocument: ZH_DOCX, tags: ['zh', 'security'] },
  { id: 'zh-10', question: '兰亭科技的年终奖是几个月工资？', answer: '', goldPassages: [], tags: ['zh', 'unanswerable'] },
];


/** The handbook passage that answers SAMPLE_QUESTION, per language. */
export const SAMPLE_QUESTION_GOLD: Record<SampleLang, string> = {
  en: SAMPLE_TESTSET[0].goldPassages[0],
  zh: '兰亭科技员工入职第一个自然年享有 12 天带薪年假。',
};

/** The handbook text of some parts in one language, as Markdown (the .md files and the tests use it). */
export function handbookMarkdown(lang: SampleLang, parts: readonly PartId[]): string {
  const out = [`# ${HANDBOOK_TITLE[lang]}`, `> ${SAMPLE_NOTICE[lang]}`];
  for (const part of HANDBOOK[lang].filter((p) => parts.includes(p.id))) {
    out.push(`## ${part.title}`);
    for (const s of part.sections) out.push(`### ${s.heading}`, ...s.paragraphs);
  }
  return out.join('\n\n') + '\n';
}
