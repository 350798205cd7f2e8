// Bytes → text for the plain-text kinds: UTF-8 (BOM or not), UTF-16 with BOM, and legacy Chinese
// (GB18030/GBK or Big5, told apart by how many frequent Han characters each decoding yields), with
// Windows-1252 as the last resort. Also refuses binary data posing as text.
import { FileError } from '../protocol/errors';

export interface DecodedText {
  text: string;
  /** WHATWG encoding label actually used, e.g. 'utf-8', 'utf-16le', 'gb18030', 'big5', 'windows-1252'. */
  encoding: string;
}

// The ~1,200 most frequent simplified characters plus the traditional forms of those that differ.
// A right legacy decoding of Chinese text hits this set for well over a third of its Han characters;
// a wrong one (GBK read as Big5, Big5 read as GBK, Latin-1 read as GBK) lands on mostly rare ones.
const FREQUENT_HAN = new Set(
  '的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵筹洁杯拜嘉' +
    '這個們來為國說時會對於著過發後裡種經麼學現當沒動還進樣開從實軍無與長機關點業將兩間問並應戰頭體見產話給門兒東聲員論處義幾認條係氣題爾變總電數報結務場計資許統區隊決馬書則聽卻達強難權設記類據邊張該規萬覺術領確傳師觀讓識帶導爭運飛風幹聯組濟車親極辦議證轉準遠臺單羅愛擊備連調質團價黨華級離況亞請際約復線斷滿視須寫稱嗎輕農裝廣顯標談圖歷醫專費號盡較語僅隨選紅響雖勢參眾構節維劃敵陳態護興驗責營夠嚴續講終緊黃絕項圍織鬥雙紀採舉殺蘇訴細願錢網熱屬臉職樂剛狀獨彈創錯蘭試腦預誰陽繼驚傷藥適衛險陸習勞財環納歡獲負雲龍樹層衝範異漢簡擔靜積餘檢靈協揮勝階審堅媽劉讀壓銀買養懷執亂幫歲優鐵稅藝陣腳惡塊頓島戶評寶釋顧貨歐換聞壞討麗監臨艦魚雜誤灣減編測敗夢溫劍漸貴槍樓縣畫遺謝魯慮銷鐘詩趕劇損舊錄葉鄉禮婦歸飯額順輸搖脫補謂療澤滅筆鮮詞聖擇尋廠煙諾倫奧賣載宮陰園謀榮孫頂鎮練爺館礎寧紙諸訓莊絲戲隱訪軟薩盤擴蓋穩億擁楊齊賽虛購揚綠貿畢輪庫跡競棄偉緩潛閃燈針絡純頁傑築鄭貝吳圓殘誠寬擺毀趙籌潔',
);

/** How much of the file the binary and legacy-encoding heuristics look at (bytes). */
const SAMPLE_BYTES = 64 * 1024;

function binaryError(fileName: string, why: string): FileError {
  return new FileError(
    'file-binary',
    `"${fileName}" does not look like a text file (${why}). If it is a document, export it as PDF, DOCX, EPUB, Markdown or plain text and drop that instead.`,
    { fileName, reason: why },
  );
}

/**
 * True when the bytes are clearly not text: a NUL byte, or more than 1% C0 control characters other
 * than tab, newlines, form feed, SUB (old DOS end-of-file) and ESC (colour codes in logs).
 * UTF-16 input must be checked after decoding, since its ASCII characters carry NUL bytes.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SAMPLE_BYTES);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1a && b !== 0x1b) || b === 0x7f) controls++;
  }
  return controls > 2 && controls / n > 0.01;
}

function hasUtf16Bom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** Scores a decoding of Chinese text: frequent Han characters count for it, U+FFFD and private-use characters against it. */
function scoreChinese(text: string): { score: number; frequent: number; nonAscii: number } {
  let frequent = 0;
  let bad = 0;
  let nonAscii = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) continue;
    nonAscii++;
    if (FREQUENT_HAN.has(ch)) frequent++;
    else if (c === 0xfffd || (c >= 0xe000 && c <= 0xf8ff)) bad++;
  }
  return { score: frequent - 3 * bad, frequent, nonAscii };
}

function cleanText(text: string): string {
  // Line endings become \n; form feeds (page breaks in old text files) become a paragraph break;
  // other stray control characters are dropped so they cannot reach the index or the UI.
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\f/g, '\n\n')
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, '');
}

/**
 * Decodes a text file. Order: UTF-16 BOM → strict UTF-8 (BOM optional) → GB18030 vs Big5 by
 * frequent-character score → Windows-1252. Line endings are normalized to \n.
 * Throws FileError 'file-binary' when the bytes are not text.
 */
export function decodeText(bytes: Uint8Array, fileName = 'file'): DecodedText {
  const utf16 = hasUtf16Bom(bytes);
  if (utf16) {
    const text = new TextDecoder(utf16).decode(bytes);
    if (text.includes('\u0000')) throw binaryError(fileName, 'it contains NUL characters');
    return { text: cleanText(text), encoding: utf16 };
  }
  if (looksBinary(bytes)) throw binaryError(fileName, 'it contains NUL bytes or many control characters');

  try {
    return { text: cleanText(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), encoding: 'utf-8' };
  } catch (e) {
    if (!(e instanceof TypeError)) throw e; // TypeError is how a fatal TextDecoder reports invalid UTF-8
  }

  // Score on a sample so a 20 MB file is decoded twice at most, not three times.
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  const gb = scoreChinese(new TextDecoder('gb18030').decode(sample));
  const big5 = scoreChinese(new TextDecoder('big5').decode(sample));
  const best = big5.score > gb.score ? { label: 'big5', ...big5 } : { label: 'gb18030', ...gb };
  if (best.frequent > 0 && best.frequent >= 0.2 * best.nonAscii) {
    return { text: cleanText(new TextDecoder(best.label).decode(bytes)), encoding: best.label };
  }

  // Not convincing Chinese: Western legacy text has a few accented bytes; binary has many high bytes.
  let high = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] >= 0x80) high++;
  if (high / Math.max(1, sample.length) > 0.3) throw binaryError(fileName, 'it is neither UTF-8 nor a recognised legacy encoding');
  return { text: cleanText(new TextDecoder('windows-1252').decode(bytes)), encoding: 'windows-1252' };
}
